"""The teacher's language: chosen on the account page (else the browser's), it changes the
dashboard's words but never the API's error codes or field names; a course's kiosks speak
the course's language; only shipped languages can be stored."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from attendance.kiosk_enrollment import open_enrollment_kiosk
from people.languages import set_course_language, set_teacher_language
from people.models import TeacherProfile
from tests.factories import CourseFactory, SessionFactory

pytestmark = pytest.mark.django_db


def test_a_new_teacher_sees_the_browser_language(teacher_client):
    home = teacher_client.get("/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    assert '<html lang="de" dir="ltr">' in home.content.decode()
    assert "Ihre Kurse" in home.content.decode()
    assert "Your courses" in teacher_client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_switching_the_language_changes_the_dashboard_but_not_the_api_codes(
    teacher, teacher_client
):
    session = SessionFactory(course=CourseFactory(teachers=[teacher]), closed_at=timezone.now())
    answer = teacher_client.post(
        reverse("dashboard:account"), {"language": "es"}, HTTP_ACCEPT_LANGUAGE="en", follow=True
    )
    assert "Idioma guardado" in answer.content.decode()
    home = teacher_client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="es" dir="ltr">' in home and "Tus cursos" in home

    api = APIClient()
    api.force_authenticate(teacher)
    url = f"/api/sessions/{session.pk}/open/"
    english = api.post(url, HTTP_ACCEPT_LANGUAGE="en").json()
    spanish = api.post(url, HTTP_ACCEPT_LANGUAGE="es").json()
    arabic = api.post(url, HTTP_ACCEPT_LANGUAGE="ar").json()
    assert english == {
        "code": "session_state",
        "detail": "This session is closed and cannot be opened again.",
    }
    assert spanish["code"] == arabic["code"] == "session_state"
    assert spanish.keys() == arabic.keys() == english.keys()
    assert spanish["detail"] == "Esta sesión está cerrada y no se puede volver a abrir."
    assert arabic["detail"] != english["detail"]

    refused = api.post(f"/api/sessions/{session.pk}/checkin/", {}, HTTP_ACCEPT_LANGUAGE="fr")
    assert refused.json()["code"] == "upload_refused" and "image" in refused.json()

    teacher_client.post(reverse("dashboard:account"), {"language": "ar"})
    page = teacher_client.get("/").content.decode()
    assert '<html lang="ar" dir="rtl">' in page and "مقرراتك" in page
    teacher_client.post(reverse("dashboard:account"), {"language": ""})
    assert "Ihre Kurse" in teacher_client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()


def test_an_unknown_language_is_refused_everywhere(teacher, teacher_client):
    course = CourseFactory(teachers=[teacher])
    answer = teacher_client.post(reverse("dashboard:account"), {"language": "xx"})
    assert answer.status_code == 200 and "xx" in answer.content.decode()  # the form's error
    assert not TeacherProfile.objects.filter(user=teacher).exclude(language="").exists()
    with pytest.raises(ValidationError):
        set_teacher_language(user=teacher, code="klingon")
    with pytest.raises(ValidationError):
        set_course_language(course=course, code="zz")
    teacher_client.post(reverse("dashboard:course-language", args=[course.pk]), {"language": "zz"})
    course.refresh_from_db()
    assert course.language == "en"

    api = APIClient()
    api.force_authenticate(teacher)
    bad = api.patch(f"/api/courses/{course.pk}/", {"language": "zz"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid" and "language" in bad.json()
    good = api.patch(f"/api/courses/{course.pk}/", {"language": "fr"}, format="json")
    assert good.status_code == 200 and good.json()["language"] == "fr"


def test_the_kiosk_speaks_the_course_language_whoever_is_logged_in(teacher, teacher_client):
    course = CourseFactory(teachers=[teacher])
    teacher_client.post(reverse("dashboard:course-language", args=[course.pk]), {"language": "fr"})
    session = SessionFactory(course=course, opened_at=timezone.now())
    set_teacher_language(user=teacher, code="de")
    kiosk = reverse("dashboard:kiosk", args=[session.kiosk_token])
    page = teacher_client.get(kiosk, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="fr" dir="ltr">' in page
    assert "Regarde la caméra pour signaler ta présence." in page
    assert reverse("dashboard:javascript-catalog", args=["fr"]) in page
    switched = teacher_client.get(kiosk + "?lang=ar").content.decode()
    assert '<html lang="ar" dir="rtl">' in switched
    ignored = teacher_client.get(kiosk + "?lang=xx").content.decode()
    assert '<html lang="fr"' in ignored

    enrollment = open_enrollment_kiosk(course=course, opened_by=teacher)
    enroll = reverse("dashboard:enroll-kiosk", args=[enrollment.token])
    page = teacher_client.get(enroll, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="fr"' in page and "Choisis ton nom" in page


def test_the_javascript_catalog_is_served_for_shipped_languages_only(client):
    catalog = client.get(reverse("dashboard:javascript-catalog", args=["de"]))
    assert catalog.status_code == 200
    assert "Schau in die Kamera" in catalog.content.decode()
    assert client.get(reverse("dashboard:javascript-catalog", args=["xx"])).status_code == 404


@pytest.mark.parametrize(
    ("language", "consent_date", "session_start"),
    [
        ("en", "4 Dec 2026", "Fri 4 Dec, 09:10"),
        ("es", "4 Dic 2026", "vie 4 Dic, 09:10"),
        ("de", "4. Dez 2026", "Fr, 4. Dez, 09:10"),
    ],
)
def test_dates_on_the_course_page_follow_the_language(
    teacher, teacher_client, language, consent_date, session_start
):
    import datetime

    from tests.factories import PersonFactory

    student = PersonFactory(consent_recorded_on=datetime.date(2026, 12, 4))
    course = CourseFactory(teachers=[teacher], roster=[student])
    start = datetime.datetime(2026, 12, 4, 9, 10, tzinfo=datetime.UTC)
    SessionFactory(course=course, starts_at=start, ends_at=start + datetime.timedelta(hours=1))
    set_teacher_language(user=teacher, code=language)
    page = teacher_client.get(reverse("dashboard:course", args=[course.pk])).content.decode()
    assert consent_date in page
    assert session_start in page
