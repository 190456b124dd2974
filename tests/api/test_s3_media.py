"""Stored files in an S3-compatible bucket (a real moto server process, not a mock): photos
are uploaded, encoded by a real worker that reads them from the bucket, served to the teacher
through the app, and deleted from the bucket with the person, the consent and the retention
sweeps; photo-import archives and class photos go through the bucket too."""

import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from attendance.models import CheckInSnapshot, ClassPhoto
from attendance.services import close_session
from people.consent import withdraw_consent
from people.models import EnrollmentPhoto, Person, PhotoImportJob
from tests.api.conftest import client_for, enroll_from_samples, open_session_of
from tests.api.test_class_photos import check_the_journey, enroll_class
from tests.api.test_photo_import import course_of, face, make_zip, post
from tests.conftest import S3_TEST_BUCKET
from tests.factories import CourseFactory


def keys(client, prefix: str) -> set[str]:
    listing = client.list_objects_v2(Bucket=S3_TEST_BUCKET, Prefix=prefix)
    return {item["Key"] for item in listing.get("Contents", [])}


def stored(client, name: str) -> bytes:
    return client.get_object(Bucket=S3_TEST_BUCKET, Key=name)["Body"].read()


def upload_photo(api, person: Person, path: Path):
    with path.open("rb") as handle:
        return api.post(f"/api/people/{person.pk}/photos/", {"image": handle}, format="multipart")


def wait_for(check, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.3)


def browser_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def person_in_course_of(teacher, name: str) -> Person:
    person = Person.objects.create(
        full_name=name.replace("_", " ").title(), external_id=name, consent_recorded_on="2026-09-01"
    )
    CourseFactory(teachers=[teacher], roster=[person])
    return person


@pytest.mark.worker
def test_a_photo_is_stored_in_the_bucket_encoded_by_the_worker_served_and_deleted(
    s3_worker, s3_media, media_root, teacher, other_teacher, shared_faces
):
    person = person_in_course_of(teacher, "obama")
    sample = sorted((shared_faces / "enroll" / "obama").iterdir())[0]
    answer = upload_photo(client_for(teacher), person, sample)
    assert answer.status_code == 202, answer.content
    photo = EnrollmentPhoto.objects.get(pk=answer.json()["id"])
    assert stored(s3_media, photo.image.name) == sample.read_bytes()
    assert not (media_root / photo.image.name).exists()  # nothing on the web host's disk

    def settled():
        photo.refresh_from_db()
        return photo.status in ("ready", "rejected")

    assert wait_for(settled), photo.status
    assert photo.status == "ready", photo.rejection_reason  # the worker read it from the bucket
    assert photo.encoding is not None

    served = browser_of(teacher).get(f"/photos/{photo.pk}/image")
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == sample.read_bytes()
    assert served["Cache-Control"] == "no-store"
    assert browser_of(other_teacher).get(f"/photos/{photo.pk}/image").status_code == 404

    name = photo.image.name
    assert client_for(teacher).delete(f"/api/people/{person.pk}/").status_code == 204
    assert wait_for(lambda: name not in keys(s3_media, "photos/"), timeout=10)


@pytest.mark.django_db
def test_withdrawing_consent_and_deleting_a_person_delete_their_objects(
    s3_media, teacher, shared_faces, django_capture_on_commit_callbacks
):
    first = person_in_course_of(teacher, "biden")
    second = person_in_course_of(teacher, "obama")
    names = {}
    for person in (first, second):
        photo = EnrollmentPhoto(person=person)
        photo.image.save("face.jpg", ContentFile(face(shared_faces, person.external_id)))
        names[person.pk] = photo.image.name
    assert set(names.values()) <= keys(s3_media, "photos/")

    with django_capture_on_commit_callbacks(execute=True):
        withdraw_consent(person=first)
    assert names[first.pk] not in keys(s3_media, "photos/")
    assert names[second.pk] in keys(s3_media, "photos/")

    second_photo = names[second.pk]
    with django_capture_on_commit_callbacks(execute=True):
        second.delete()
    assert second_photo not in keys(s3_media, "photos/")


@pytest.mark.django_db
def test_the_retention_sweeps_delete_old_frames_class_photos_and_crops_from_the_bucket(
    s3_media, teacher, settings, django_capture_on_commit_callbacks
):
    from attendance.models import UnrecognisedAttempt
    from attendance.tasks import purge_face_crops, purge_snapshots

    settings.CHECKIN_SNAPSHOT_RETENTION_DAYS = 7
    session = open_session_of(CourseFactory(teachers=[teacher]))
    eight_days_ago = timezone.now() - timedelta(days=8)
    rows = {
        "snapshots/": [CheckInSnapshot(session=session) for _ in range(2)],
        "class_photos/": [ClassPhoto(session=session, uploaded_by=teacher) for _ in range(2)],
        "crops/": [UnrecognisedAttempt(session=session) for _ in range(2)],
    }
    for prefix, (old, recent) in rows.items():
        for row in (old, recent):
            getattr(row, "crop" if prefix == "crops/" else "image").save(
                "face.jpg", ContentFile(b"a face"), save=True
            )
        when = "seen_at" if prefix == "crops/" else "taken_at"
        when = "uploaded_at" if prefix == "class_photos/" else when
        type(old).objects.filter(pk=old.pk).update(**{when: eight_days_ago})
    names = {
        prefix: [getattr(r, "crop" if prefix == "crops/" else "image").name for r in pair]
        for prefix, pair in rows.items()
    }
    for prefix, pair in names.items():
        assert set(pair) <= keys(s3_media, prefix)

    with django_capture_on_commit_callbacks(execute=True):
        assert purge_snapshots.delay().get() == 2  # the frame and the class photo
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_face_crops.delay().get() == 1
    for prefix, (old, recent) in names.items():
        assert old not in keys(s3_media, prefix), prefix
        assert recent in keys(s3_media, prefix), prefix


@pytest.mark.worker
def test_a_photo_import_archive_goes_through_the_bucket_to_the_worker(
    s3_worker, s3_media, teacher, shared_faces
):
    course = course_of(teacher, "S1", "S2")
    archive = make_zip(
        {"S1.jpg": face(shared_faces, "obama"), "S2.jpg": face(shared_faces, "biden")}
    )
    response = post(client_for(teacher), course, archive)
    assert response.status_code == 202, response.content
    job = PhotoImportJob.objects.get(pk=response.json()["id"])
    archive_name = job.archive.name
    assert stored(s3_media, archive_name) == archive

    def finished():
        job.refresh_from_db()
        return job.state in ("done", "failed")

    assert wait_for(finished), job.state
    assert job.state == "done", job.error
    # deleted by the worker just after the job's outcome is committed
    assert wait_for(lambda: archive_name not in keys(s3_media, "imports/"), timeout=10)
    photos = EnrollmentPhoto.objects.filter(person__courses=course)
    assert wait_for(lambda: photos.filter(status="ready").count() == 2)
    assert {p.image.name for p in photos} <= keys(s3_media, "photos/")


@pytest.mark.worker
def test_a_class_photo_goes_through_the_bucket_to_the_worker(s3_worker, s3_media, teacher):
    from tests.api.test_class_photos import make_class_picture

    course = CourseFactory(teachers=[teacher], name="Year 10")
    enroll_class(course)
    session = open_session_of(course)
    result = check_the_journey(client_for(teacher), session, make_class_picture())
    # kept in the bucket while the session is open (the live page shows it again), gone at close
    name = ClassPhoto.objects.get(pk=result["id"]).image.name
    assert name in keys(s3_media, "class_photos/")
    close_session(session=session)
    assert not ClassPhoto.objects.get(pk=result["id"]).image
    assert wait_for(lambda: not keys(s3_media, "class_photos/"), timeout=10)


@pytest.mark.django_db
def test_a_review_crop_is_stored_in_the_bucket_served_and_purged(
    s3_media, teacher, other_teacher, sample_encodings, shared_faces,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    from attendance.models import PendingReview
    from attendance.reviews import purge_expired_reviews
    from tests.api.test_reviews import TOLERANCE, check_in

    course = CourseFactory(teachers=[teacher], recognition_tolerance=TOLERANCE)
    enroll_from_samples(course, ["obama", "biden"], sample_encodings, shared_faces)
    session = open_session_of(course)
    api = client_for(teacher)
    faces = check_in(api, session, shared_faces / "probe" / "obama1.jpg")
    assert [f["outcome"] for f in faces] == ["review"]
    review = PendingReview.objects.get(session=session)
    assert review.crop.name in keys(s3_media, "crops/")
    served = api.get(f"/api/reviews/{review.pk}/crop/")
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == stored(s3_media, review.crop.name)
    assert "no-store" in served["Cache-Control"]
    assert client_for(other_teacher).get(f"/api/reviews/{review.pk}/crop/").status_code == 404

    session.closed_at = timezone.now()
    session.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_expired_reviews(now=timezone.now() + timedelta(minutes=31)) == 1
    assert review.crop.name not in keys(s3_media, "crops/")


@pytest.mark.django_db
def test_the_admin_shows_stored_files_only_through_the_app(
    s3_media, s3_server, superuser, teacher, shared_faces
):
    person = person_in_course_of(teacher, "obama")
    photo = EnrollmentPhoto(person=person)
    photo.image.save("face.jpg", ContentFile(face(shared_faces, "obama")))
    job = PhotoImportJob(course=person.courses.get(), created_by=teacher, total=1)
    job.archive.save("photos.zip", ContentFile(b"PK archive"))
    admin = browser_of(superuser)
    for page in (
        f"/admin/people/person/{person.pk}/change/",
        f"/admin/people/photoimportjob/{job.pk}/change/",
    ):
        answer = admin.get(page)
        assert answer.status_code == 200
        html = answer.content.decode()
        assert s3_server["S3_ENDPOINT_URL"] not in html and "X-Amz-Signature" not in html
    assert (
        f"/photos/{photo.pk}/image"
        in admin.get(f"/admin/people/person/{person.pk}/change/").content.decode()
    )
