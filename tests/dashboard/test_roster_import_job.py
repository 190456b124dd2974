"""A roster file is checked in the request and added by a background job: the answer comes
at once, the job page follows it with a progress bar, and errors found when it runs are
readable."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from people import roster_import
from people.models import Person, RosterImportJob

pytestmark = pytest.mark.django_db


def roster_file(count: int, *, prefix: str = "R") -> SimpleUploadedFile:
    lines = ["full name;student number"]
    lines += [f"Student {prefix}{n:05d};{prefix}{n:05d}" for n in range(count)]
    return SimpleUploadedFile("class.csv", "\n".join(lines).encode(), content_type="text/csv")


def preview_and_confirm(client, course, upload, capture, *, execute: bool):
    url = reverse("dashboard:roster-import", args=[course.pk])
    assert client.post(url, {"file": upload}).status_code == 200
    with capture(execute=execute):
        return client.post(url, {"confirm": "1"})


def test_a_2000_row_import_answers_at_once_and_finishes_through_the_job(
    teacher_client, course, django_capture_on_commit_callbacks
):
    response = preview_and_confirm(
        teacher_client, course, roster_file(2000), django_capture_on_commit_callbacks,
        execute=False,
    )  # fmt: skip
    job = RosterImportJob.objects.get()
    assert response.status_code == 302 and response.url == f"/roster-imports/{job.pk}/"
    assert job.state == "queued" and job.total == 2000
    assert course.roster.count() == 2  # nothing added in the request
    page = teacher_client.get(response.url).content.decode()
    assert "Waiting to start" in page and "0 of 2000 students added" in page
    assert "js/roster_import_job.js" in page  # polls the job
    assert f'data-poll-url="/api/roster-imports/{job.pk}/"' in page

    assert roster_import.run_roster_import(job_id=job.pk) == "done"
    job.refresh_from_db()
    assert job.imported == 2000 and job.data == "" and job.finished_at
    assert course.roster.count() == 2002
    page = teacher_client.get(response.url).content.decode()
    assert "2000 of 2000 students added" in page and "js/roster_import_job.js" not in page


def test_the_job_runs_through_the_queue_once_the_request_commits(
    teacher_client, course, django_capture_on_commit_callbacks
):
    preview_and_confirm(
        teacher_client, course, roster_file(250), django_capture_on_commit_callbacks,
        execute=True,
    )  # fmt: skip
    assert RosterImportJob.objects.get().state == "done"
    assert course.roster.count() == 252


def test_a_short_file_is_added_by_a_job_too(
    teacher_client, course, django_capture_on_commit_callbacks
):
    response = preview_and_confirm(
        teacher_client, course, roster_file(20), django_capture_on_commit_callbacks,
        execute=False,
    )  # fmt: skip
    job = RosterImportJob.objects.get()
    assert response.status_code == 302 and response.url == f"/roster-imports/{job.pk}/"
    assert course.roster.count() == 2


def test_rows_that_went_wrong_before_the_job_ran_are_listed_and_nothing_is_added(
    teacher_client, course, other_teacher, django_capture_on_commit_callbacks
):
    preview_and_confirm(
        teacher_client, course, roster_file(300), django_capture_on_commit_callbacks,
        execute=False,
    )  # fmt: skip
    job = RosterImportJob.objects.get()
    job.data += "\nStudent R00007;R00007\n"  # as if the file had a duplicate line
    job.save()
    assert roster_import.run_roster_import(job_id=job.pk) == "failed"
    page = teacher_client.get(reverse("dashboard:roster-import-job", args=[job.pk]))
    text = page.content.decode()
    assert "Nothing was added: 1 row has errors." in text
    assert "Student number R00007 is also on line 9." in text
    assert not Person.objects.filter(external_id="R00001").exists()
    assert RosterImportJob.objects.get().data == ""


def test_numbers_taken_by_another_teacher_meanwhile_fail_the_job_naming_none(
    teacher_client, course, django_capture_on_commit_callbacks
):
    preview_and_confirm(
        teacher_client, course, roster_file(300), django_capture_on_commit_callbacks,
        execute=False,
    )  # fmt: skip
    Person.objects.create(full_name="Someone else", external_id="R00123")
    job = RosterImportJob.objects.get()
    assert roster_import.run_roster_import(job_id=job.pk) == "failed"
    job.refresh_from_db()
    assert job.error == roster_import.NUMBERS_TAKEN
    assert course.roster.count() == 2
    assert roster_import.run_roster_import(job_id=job.pk) is None  # a finished job stays so


def test_another_teacher_cannot_see_the_job(
    teacher_client, course, other_teacher, django_capture_on_commit_callbacks
):
    preview_and_confirm(
        teacher_client, course, roster_file(201), django_capture_on_commit_callbacks,
        execute=False,
    )  # fmt: skip
    job = RosterImportJob.objects.get()
    teacher_client.force_login(other_teacher)
    url = reverse("dashboard:roster-import-job", args=[job.pk])
    assert teacher_client.get(url).status_code == 404
