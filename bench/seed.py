"""Run inside the stack (`python -m bench.seed`): enroll the sample people and open a session.

Photos go through the app's own import (`people.importing.import_folder`: add_photo and the
encode task, in-process as REDIS_URL is unset), then the course is trained once more so its
model holds every photo. Prints one JSON line: ids, the kiosk token and the stored model.
"""

import base64
import json
from datetime import timedelta

import django


def main() -> None:
    django.setup()
    from django.core.files import File
    from django.utils import timezone

    from attendance.models import AttendanceSession
    from bench.frames import SHARED_FACES
    from people.importing import import_folder
    from people.models import Course, CourseClassifier, EnrollmentPhoto, Person
    from people.services import add_photo
    from people.training import train_course_now

    now = timezone.now()
    course = Course.objects.create(name="Benchmark course", liveness="off")
    import_folder(root=SHARED_FACES / "enroll", course=course, consent_recorded_on=now.date())
    train_course_now(course_id=course.pk)
    session = AttendanceSession.objects.create(
        course=course,
        title="Benchmark",
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(hours=6),
        late_after_minutes=300,
        opened_at=now,
    )
    # Issue 12: the same students in a course with the head-turn challenge on.
    live_course = Course.objects.create(name="Benchmark course, liveness", liveness="challenge")
    live_course.roster.set(course.roster.all())
    train_course_now(course_id=live_course.pk)
    live_session = AttendanceSession.objects.create(
        course=live_course,
        title="Benchmark, liveness",
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(hours=6),
        late_after_minutes=300,
        opened_at=now,
    )
    # A photo of someone in no course: encoding it again trains nothing (the Celery
    # worker's warm-up sends it).
    loner = Person.objects.create(
        full_name="Warm-up", external_id="bench-warm-up", consent_recorded_on=now.date()
    )
    path = sorted((SHARED_FACES / "enroll" / "obama").iterdir())[0]
    with path.open("rb") as handle:
        warm_up_photo = add_photo(person=loner, upload=File(handle, name=path.name))
    photos = EnrollmentPhoto.objects.filter(person__courses=course)
    classifier_row = CourseClassifier.objects.get(course=course)
    print(
        json.dumps(
            {
                "course_id": course.pk,
                "session_id": session.pk,
                "kiosk_token": session.kiosk_token,
                "liveness_session_id": live_session.pk,
                "liveness_kiosk_token": live_session.kiosk_token,
                "names": {str(p.pk): p.external_id for p in course.roster.all()},
                "photos": {s: photos.filter(status=s).count() for s in ("ready", "rejected")},
                "warm_up_photo_id": warm_up_photo.pk,
                "model": base64.b64encode(bytes(classifier_row.model_data)).decode(),
            }
        )
    )


if __name__ == "__main__":
    main()
