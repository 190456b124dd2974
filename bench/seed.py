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
    from django.utils import timezone

    from attendance.models import AttendanceSession
    from bench.frames import SHARED_FACES
    from people.importing import import_folder
    from people.models import Course, CourseClassifier, EnrollmentPhoto
    from people.training import train_course_now

    now = timezone.now()
    sessions = {}
    # The same students twice: a course with liveness off, one with the head-turn challenge.
    for liveness in ("off", "challenge"):
        course = Course.objects.create(
            name=f"Benchmark course, liveness {liveness}", liveness=liveness
        )
        if liveness == "off":
            import_folder(
                root=SHARED_FACES / "enroll", course=course, consent_recorded_on=now.date()
            )
            first = course
        else:
            course.roster.set(first.roster.all())
        train_course_now(course_id=course.pk)
        sessions[liveness] = AttendanceSession.objects.create(
            course=course, title=f"Benchmark {liveness}", starts_at=now - timedelta(minutes=1),
            ends_at=now + timedelta(hours=6), late_after_minutes=300, opened_at=now,
        )  # fmt: skip
    course, session, live_session = first, sessions["off"], sessions["challenge"]
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
                "model": base64.b64encode(bytes(classifier_row.model_data)).decode(),
            }
        )
    )


if __name__ == "__main__":
    main()
