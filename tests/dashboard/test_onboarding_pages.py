"""Bulk onboarding pages: CSV preview then confirm, ZIP photo import with its job page,
consent for the selected students, and the compact roster table."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from people.models import Person, PhotoImportJob
from tests.dashboard.conftest import png_bytes

pytestmark = pytest.mark.django_db

CSV = (
    "Full name;Student number;Consent date\nGrace Hopper;S900;2026-09-01\nKatherine Johnson;S901;\n"
)


def csv_upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("class.csv", text.encode(), content_type="text/csv")


def test_the_preview_imports_nothing_until_confirmed(
    teacher_client, course, django_capture_on_commit_callbacks
):
    url = reverse("dashboard:roster-import", args=[course.pk])
    response = teacher_client.post(url, {"file": csv_upload(CSV)})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Preview: 2 students" in page and "Grace Hopper" in page
    assert not Person.objects.filter(external_id="S900").exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = teacher_client.post(url, {"confirm": "1"})
    assert response.status_code == 302
    assert set(course.roster.values_list("external_id", flat=True)) >= {"S900", "S901"}
    page = teacher_client.get(response.url).content.decode()
    assert "2 of 2 students added" in page and "2 students imported." in page


def test_both_import_forms_send_with_an_upload_progress_bar(teacher_client, course):
    for name in ("roster-import", "photo-import"):
        page = teacher_client.get(reverse(f"dashboard:{name}", args=[course.pk])).content.decode()
        assert "data-upload-progress" in page and "js/upload_progress.js" in page
        assert "<progress" in page and "Sending the file" in page


def test_a_preview_with_errors_shows_them_and_offers_no_import(teacher_client, course):
    url = reverse("dashboard:roster-import", args=[course.pk])
    response = teacher_client.post(url, {"file": csv_upload("name;number\n;S1\n")})
    page = response.content.decode()
    assert response.status_code == 400
    assert "The full name is missing." in page and "Nothing was imported" in page
    assert 'name="confirm"' not in page


def test_an_unreadable_file_says_why(teacher_client, course):
    url = reverse("dashboard:roster-import", args=[course.pk])
    upload = SimpleUploadedFile("x.csv", "name;number\nJosé;S1\n".encode("latin-1"))
    response = teacher_client.post(url, {"file": upload})
    assert response.status_code == 400
    assert "not UTF-8" in response.content.decode()


def test_a_zip_with_problems_lists_them(teacher_client, course):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../S002.png", png_bytes())
    upload = SimpleUploadedFile("p.zip", buffer.getvalue(), content_type="application/zip")
    url = reverse("dashboard:photo-import", args=[course.pk])
    response = teacher_client.post(url, {"file": upload})
    assert response.status_code == 400
    assert "../S002.png: the name points outside" in response.content.decode()
    assert not PhotoImportJob.objects.exists()


def test_a_good_zip_leads_to_its_progress_page(
    teacher_client, course, django_capture_on_commit_callbacks
):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("S002/a.png", png_bytes((64, 64)))
    upload = SimpleUploadedFile("p.zip", buffer.getvalue(), content_type="application/zip")
    with django_capture_on_commit_callbacks(execute=True):
        response = teacher_client.post(
            reverse("dashboard:photo-import", args=[course.pk]), {"file": upload}
        )
    page = teacher_client.get(response.url).content.decode()
    assert "S002/a.png" in page and "<progress" in page
    assert "Rejected" in page  # a plain square has no face: the reason is listed


def test_the_job_page_is_only_for_the_courses_teachers(other_client, course, teacher):
    job = PhotoImportJob.objects.create(course=course, created_by=teacher)
    response = other_client.get(reverse("dashboard:photo-import-job", args=[job.pk]))
    assert response.status_code == 404


def test_consent_for_the_selected_students_with_one_date(teacher_client, course, ada):
    url = reverse("dashboard:consent-many", args=[course.pk])
    response = teacher_client.post(
        url, {"people": [str(ada.pk), "junk"], "consent_recorded_on": "2026-09-02"}, follow=True
    )
    ada.refresh_from_db()
    assert str(ada.consent_recorded_on) == "2026-09-02"
    assert "Consent recorded for 1 student." in response.content.decode()


def test_the_roster_table_shows_photo_counts_consent_and_filters(teacher_client, course, photo):
    page = teacher_client.get(reverse("dashboard:course", args=[course.pk])).content.decode()
    assert 'class="table roster"' in page
    assert '0 ready</span> <span class="count count--rejected">1 rejected' in page
    assert "Record consent for the selected students" in page
    assert "data-roster-filter" in page


def test_remove_and_photo_delete_ask_first(teacher_client, course, ada, photo):
    remove = reverse("dashboard:student-remove", args=[course.pk, ada.pk])
    page = teacher_client.get(remove).content.decode()
    assert "Remove Ada Lovelace from Mathematics 1?" in page
    assert course.roster.filter(pk=ada.pk).exists()
    delete = reverse("dashboard:photo-delete", args=[course.pk, photo.pk])
    assert "Delete this photo of Ada Lovelace?" in teacher_client.get(delete).content.decode()
    assert photo.__class__.objects.filter(pk=photo.pk).exists()


def test_the_status_json_carries_each_students_photo_counts(teacher_client, course, photo, ada):
    data = teacher_client.get(reverse("dashboard:course-status", args=[course.pk])).json()
    ada_row = next(student for student in data["students"] if student["id"] == ada.pk)
    assert "0 ready" in ada_row["counts_html"] and "1 rejected" in ada_row["counts_html"]


def test_the_zip_page_explains_the_naming_schemes_and_suggests_names(teacher_client, course):
    url = reverse("dashboard:photo-import", args=[course.pk])
    page = teacher_client.get(url).content.decode()
    assert 'id="zip-naming"' in page
    assert "Ada Lovelace/IMG_0002.jpg" in page and "ada_lovelace_2.png" in page
    student = course.roster.first()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{student.full_name}x.png", png_bytes())
    upload = SimpleUploadedFile("p.zip", buffer.getvalue(), content_type="application/zip")
    response = teacher_client.post(url, {"file": upload})
    assert response.status_code == 400
    assert f"Did you mean {student.full_name}?" in response.content.decode()
