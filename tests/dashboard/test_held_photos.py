"""Photos held for the teacher's decision are never hidden: counted on the home page, the
course page (a banner and a filter) and the photo import summary, shown with their reason
next to the look-alike's photo, and kept one by one or all at once."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from people import services
from people.models import CourseClassifier, EnrollmentPhoto, PhotoImportJob, TrainingRequest
from tests.dashboard.conftest import png_bytes
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db
HELD = EnrollmentPhoto.Status.NEEDS_REVIEW


def photo_of(person, status=HELD, **fields) -> EnrollmentPhoto:
    photo = EnrollmentPhoto(person=person, status=status, **fields)
    photo.image.save("face.png", ContentFile(png_bytes()), save=True)
    return photo


@pytest.fixture
def held(ada, alan):
    ada_photo = photo_of(ada, EnrollmentPhoto.Status.READY)
    return [
        photo_of(alan, review_reason="This photo looks like Ada Lovelace (S001).", looks_like=ada),
        photo_of(alan, review_reason="The face is too small."),
    ], ada_photo


def test_the_course_page_says_how_many_photos_wait_and_filters_them(
    teacher_client, course, held, ada, alan
):
    url = reverse("dashboard:course", args=[course.pk])
    page = teacher_client.get(url).content.decode()
    assert "2 photos need your decision" in page
    assert reverse("dashboard:photos-keep-all", args=[course.pk]) in page
    assert "2 to decide" in page
    shown = teacher_client.get(url, {"show": "needs-review"}).content.decode()
    assert f'id="student-{alan.pk}"' in shown and f'id="student-{ada.pk}"' not in shown
    assert '<details class="student" open>' in shown


def test_a_held_photo_shows_its_reason_next_to_the_look_alikes_photo(teacher_client, course, held):
    (look_alike, _), ada_photo = held
    page = teacher_client.get(reverse("dashboard:course", args=[course.pk])).content.decode()
    assert "This photo looks like Ada Lovelace (S001)." in page
    assert "Needs review" in page and "Needs_review" not in page
    assert reverse("people:photo-image", args=[ada_photo.pk]) in page
    assert 'alt="Photo of Ada Lovelace, for comparison"' in page


def test_the_home_page_counts_each_courses_held_photos(teacher_client, course, held):
    page = teacher_client.get(reverse("dashboard:home")).content.decode()
    assert "2 photos need your decision" in page
    assert f"/courses/{course.pk}/?show=needs-review" in page


def test_the_photo_import_summary_counts_held_photos_with_a_readable_label(
    teacher_client, teacher, course, held
):
    job = PhotoImportJob.objects.create(
        course=course,
        created_by=teacher,
        state=PhotoImportJob.State.DONE,
        total=2,
        results=[{"file": f"{n}.jpg", "photo": p.pk} for n, p in enumerate(held[0])],
    )
    answer = teacher_client.get(reverse("dashboard:photo-import-job", args=[job.pk]))
    page = answer.content.decode()
    assert "2</span> waiting for your decision" in page
    assert "Needs review" in page and "Needs_review" not in page
    assert "The face is too small." in page


def test_keep_all_asks_first_then_keeps_every_held_photo_through_the_one_service(
    teacher_client, teacher, course, held
):
    url = reverse("dashboard:photos-keep-all", args=[course.pk])
    ask = teacher_client.get(url).content.decode()
    assert "2 photos of Mathematics 1 will be used for recognition" in ask
    assert EnrollmentPhoto.objects.filter(status=HELD).count() == 2
    TrainingRequest.objects.all().delete()
    answer = teacher_client.post(url, follow=True).content.decode()
    assert "2 photos kept." in answer
    for photo in held[0]:
        photo.refresh_from_db()
        assert (photo.status, photo.kept_by, photo.review_reason) == ("ready", teacher, "")
        assert photo.kept_after_review and photo.looks_like is None
    assert TrainingRequest.objects.filter(course=course).exists()
    assert "need your decision" not in answer


def test_keep_all_leaves_other_courses_and_other_teachers_photos_alone(
    teacher_client, other_client, course, held, other_teacher
):
    elsewhere = photo_of(PersonFactory(created_by=other_teacher))
    assert (
        other_client.post(reverse("dashboard:photos-keep-all", args=[course.pk])).status_code == 404
    )
    teacher_client.post(reverse("dashboard:photos-keep-all", args=[course.pk]))
    elsewhere.refresh_from_db()
    assert elsewhere.status == HELD


def test_keep_photos_skips_photos_no_longer_held(course, alan, teacher):
    ready = photo_of(alan, EnrollmentPhoto.Status.READY)
    one = photo_of(alan, review_reason="The face is too small.")
    kept = services.keep_photos(photos=EnrollmentPhoto.objects.filter(person=alan), kept_by=teacher)
    assert kept == 1
    ready.refresh_from_db()
    assert ready.kept_by is None
    one.refresh_from_db()
    assert one.status == "ready"
    assert not CourseClassifier.objects.exists()  # training is queued, not run in the request
