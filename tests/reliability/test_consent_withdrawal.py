"""Withdrawing consent stops recognition at once: through the API, the dashboard or the admin
(each calling people.consent.withdraw_consent), the student's photos and encodings are
deleted, every course model is retrained without them, and the next check-in does not mark
them."""

import os

import pytest
from django.test import Client

from attendance.models import AttendanceRecord
from people import model_cache
from people.models import EnrollmentPhoto, Person
from recognition import faces


def check_in_names(api, session, path) -> list:
    with path.open("rb") as handle:
        response = api.post(f"/api/sessions/{session.pk}/checkin/", {"image": handle})
    assert response.status_code == 200
    return [(face["person"] or {}).get("full_name") for face in response.json()["faces"]]


def withdraw_through_api(api, person, superuser):
    response = api.patch(f"/api/people/{person.pk}/", {"consent_recorded_on": None}, format="json")
    assert response.status_code == 200, response.content


def withdraw_through_dashboard(api, person, superuser):
    client = Client()
    client.force_login(superuser)
    course = person.courses.first()
    url = f"/courses/{course.pk}/students/{person.pk}/consent/withdraw/"
    confirmation = client.get(url).content.decode()
    assert "deletes" in confirmation and "photo" in confirmation
    assert client.post(url).status_code == 302


def withdraw_through_admin(api, person, superuser):
    client = Client()
    client.force_login(superuser)
    form = {
        "full_name": person.full_name,
        "external_id": person.external_id,
        "email": person.email,
        "is_active": "on",
        "consent_recorded_on": "",
        "created_by": person.created_by_id or "",
        "photos-TOTAL_FORMS": "0",
        "photos-INITIAL_FORMS": "0",
    }
    response = client.post(f"/admin/people/person/{person.pk}/change/", form)
    assert response.status_code == 302, response.content


@pytest.mark.parametrize(
    "withdraw", [withdraw_through_api, withdraw_through_dashboard, withdraw_through_admin]
)
def test_withdrawn_consent_is_never_recognised_again(
    withdraw, transactional_db, teacher_api, open_session, shared_faces, superuser, media_root
):
    obama = Person.objects.get(external_id="obama")
    files = [photo.image.path for photo in obama.photos.all()]
    assert files and check_in_names(teacher_api, open_session, shared_faces / "probe/obama1.jpg")
    AttendanceRecord.objects.all().delete()

    withdraw(teacher_api, obama, superuser)

    assert not EnrollmentPhoto.objects.filter(person=obama).exists()
    assert not any(os.path.exists(path) for path in files)
    encoder = faces.FaceConfig.from_settings().encoder_name
    _, model = model_cache.current_model(open_session.course_id, encoder=encoder)
    assert model is None or obama.pk not in set(model.person_ids.tolist())
    assert check_in_names(teacher_api, open_session, shared_faces / "probe/obama1.jpg") == [None]
    assert not AttendanceRecord.objects.filter(person=obama).exists()


def test_import_faces_records_consent_for_an_existing_person_only_when_asked(
    db, tmp_path, shared_faces
):
    from datetime import date

    from people.importing import import_folder
    from tests.factories import PersonFactory

    person = PersonFactory(external_id="S-withdrawn", consent_recorded_on=None)
    folder = tmp_path / "S-withdrawn"
    folder.mkdir()
    (folder / "face.jpg").write_bytes((shared_faces / "enroll/obama/obama.jpg").read_bytes())

    report = import_folder(root=tmp_path, consent_recorded_on=date(2026, 9, 1))
    person.refresh_from_db()
    assert person.consent_recorded_on is None
    assert not person.photos.exists() and report.skipped

    import_folder(
        root=tmp_path, consent_recorded_on=date(2026, 9, 1), record_consent_for_existing=True
    )
    person.refresh_from_db()
    assert person.consent_recorded_on == date(2026, 9, 1)
    assert person.photos.count() == 1
