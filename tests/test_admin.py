import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from attendance.models import (
    AttendanceRecord,
    CheckInSnapshot,
    ClassPhoto,
    CourseSchedule,
    DecidedReview,
    EnrollmentKiosk,
    PendingReview,
    UnrecognisedAttempt,
)
from people.models import (
    CourseClassifier,
    EnrollmentPhoto,
    PhotoImportJob,
    RosterImportJob,
    SchoolSettings,
    TeacherProfile,
)
from tests.factories import CourseFactory, PersonFactory, SessionFactory

pytestmark = pytest.mark.django_db

PROJECT_MODELS = {"people", "attendance"}


@pytest.fixture
def one_of_each(teacher):
    person = PersonFactory()
    course = CourseFactory(teachers=[teacher], roster=[person])
    session = SessionFactory(course=course)
    EnrollmentPhoto.objects.create(person=person, image="photos/missing.jpg")
    AttendanceRecord.objects.create(session=session, person=person, status="present", method="face")
    CourseClassifier.objects.get_or_create(course=course)
    CheckInSnapshot.objects.create(session=session, image="snapshots/missing.jpg")
    PendingReview.objects.create(
        session=session, candidate=person, distance=0.63, crop="crops/missing.jpg"
    )
    UnrecognisedAttempt.objects.create(session=session)
    DecidedReview.objects.create(review_id=999, session=session)
    PhotoImportJob.objects.create(course=course, created_by=teacher)
    RosterImportJob.objects.create(course=course, created_by=teacher, total=300)
    SchoolSettings.objects.create(pk=1, time_zone="UTC")
    TeacherProfile.objects.create(user=teacher, time_zone="Europe/Berlin")
    CourseSchedule.objects.create(course=course, weekdays=[0], start_time="08:30", time_zone="UTC")
    ClassPhoto.objects.create(session=session, status="done")
    EnrollmentKiosk.objects.create(course=course, expires_at=timezone.now())


def test_every_project_model_is_in_the_admin():
    from django.apps import apps

    for app_label in PROJECT_MODELS:
        for model in apps.get_app_config(app_label).get_models():
            assert model in admin.site._registry, f"{model.__name__} is not in the admin"


def test_a_superuser_can_open_every_admin_list_and_change_page(client, superuser, one_of_each):
    client.force_login(superuser)
    for model in admin.site._registry:
        if model._meta.app_label not in PROJECT_MODELS:
            continue
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert client.get(changelist).status_code == 200, changelist
        assert client.get(changelist, {"q": "a"}).status_code == 200, changelist
        obj = model.objects.first()
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        assert client.get(change).status_code == 200, change


def test_the_person_page_shows_photo_thumbnails_with_status(client, superuser, one_of_each):
    client.force_login(superuser)
    photo = EnrollmentPhoto.objects.get()
    page = client.get(reverse("admin:people_person_change", args=[photo.person_id]))
    assert reverse("people:photo-image", args=[photo.pk]) in page.content.decode()
    assert "Pending" in page.content.decode()


def admin_photo_upload(client, person, image, **person_fields):
    """The person page's form with one new photo in the inline."""
    data = {
        "full_name": person.full_name,
        "external_id": person.external_id,
        "email": "",
        "is_active": "on",
        "consent_recorded_on": person_fields.get("consent", ""),
        "photos-TOTAL_FORMS": "1",
        "photos-INITIAL_FORMS": "0",
        "photos-MIN_NUM_FORMS": "0",
        "photos-MAX_NUM_FORMS": "1000",
        "photos-0-image": image,
        "_save": "Save",
    }
    return client.post(reverse("admin:people_person_change", args=[person.pk]), data)


@pytest.mark.django_db(transaction=True)
def test_a_photo_added_in_the_admin_is_encoded_like_an_upload(client, superuser, shared_faces):
    person = PersonFactory()
    client.force_login(superuser)
    with (shared_faces / "enroll" / "obama" / "obama.jpg").open("rb") as image:
        response = admin_photo_upload(client, person, image, consent="2026-09-01")
    assert response.status_code == 302, response.content.decode()[:2000]
    photo = EnrollmentPhoto.objects.get(person=person)
    assert photo.status == "ready"


def test_the_admin_refuses_photos_before_consent(client, superuser, shared_faces):
    person = PersonFactory(consent_recorded_on=None)
    client.force_login(superuser)
    with (shared_faces / "enroll" / "obama" / "obama.jpg").open("rb") as image:
        response = admin_photo_upload(client, person, image)
    assert response.status_code == 200
    assert "consent to face recognition" in response.content.decode()
    assert not EnrollmentPhoto.objects.filter(person=person).exists()
