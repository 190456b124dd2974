"""POST /api/courses/{id}/roster-import/: a CSV roster, previewed, then added all or none by a
job that answers 202 and is polled at /api/roster-imports/{id}/."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from people.models import Course, Person
from tests.factories import CourseFactory, PersonFactory

GOOD = (
    "Full name;Student ID;E-mail;Consent date\n"
    "Ada Lovelace;S100;ada@school.example;2026-09-01\n"
    "Alan Turing;S101;;01/09/2026\n"
    "Grace Hopper;S102;grace@school.example;\n"
)


def post(api, course, content: bytes | str, dry_run=False, name="roster.csv"):
    data = content.encode() if isinstance(content, str) else content
    upload = SimpleUploadedFile(name, data, content_type="text/csv")
    return api.post(
        f"/api/courses/{course.pk}/roster-import/",
        {"file": upload, "dry_run": dry_run},
        format="multipart",
    )


@pytest.fixture
def imported(teacher_api, django_capture_on_commit_callbacks):
    """`imported(course, content)`: POST the file, let its job run as the request's commit
    sends it, and answer the job as polled afterwards (or the refusal)."""

    def run(course, content):
        with django_capture_on_commit_callbacks(execute=True):
            response = post(teacher_api, course, content)
        if response.status_code != 202:
            return response
        assert response["Location"] == response.json()["url"]
        return teacher_api.get(response.json()["url"])

    return run


def test_a_good_file_answers_202_with_the_job_to_poll(teacher, teacher_api):
    course = CourseFactory(teachers=[teacher])
    response = post(teacher_api, course, GOOD)
    assert response.status_code == 202, response.content
    job = response.json()
    assert job["url"] == f"/api/roster-imports/{job['id']}/" == response["Location"]
    assert (job["state"], job["total"], job["done"], job["finished"]) == ("queued", 3, 0, False)
    assert not course.roster.exists()  # the job adds them


def test_it_adds_every_student_of_a_good_file(teacher, imported):
    course = CourseFactory(teachers=[teacher])
    response = imported(course, GOOD)
    assert response.status_code == 200, response.content
    job = response.json()
    assert (job["state"], job["imported"], job["done"], job["finished"]) == ("done", 3, 3, True)
    people = {p.external_id: p for p in course.roster.all()}
    assert set(people) == {"S100", "S101", "S102"}
    assert people["S100"].email == "ada@school.example"
    assert str(people["S101"].consent_recorded_on) == "2026-09-01"
    assert people["S102"].consent_recorded_on is None
    assert people["S100"].created_by == teacher


def test_a_dry_run_previews_and_adds_nothing(teacher, teacher_api):
    course = CourseFactory(teachers=[teacher])
    response = post(teacher_api, course, GOOD, dry_run=True)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["valid"] is True and body["imported"] == 0
    assert [row["external_id"] for row in body["rows"]] == ["S100", "S101", "S102"]
    assert not Person.objects.exists()


def test_it_reads_commas_a_bom_and_other_header_names(teacher, imported):
    course = CourseFactory(teachers=[teacher])
    content = "\ufeffName,Student number,Email\nZoë Ångström,S200,\n".encode()
    response = imported(course, content)
    assert response.json()["state"] == "done", response.content
    assert course.roster.get().full_name == "Zoë Ångström"


def test_bad_rows_are_listed_and_nothing_is_added(teacher, teacher_api):
    course = CourseFactory(teachers=[teacher])
    content = (
        "name;student number;email;consent\n"
        "Ada Lovelace;S100;not-an-address;2026-09-01\n"
        ";S101;;\n"
        "Alan Turing;S100;;yesterday\n"
        "Grace Hopper;S103;;2099-01-01\n"
        "Fine Student;S104;;\n"
    )
    response = post(teacher_api, course, content)
    assert response.status_code == 400, response.content
    rows = {row["line"]: row["errors"] for row in response.json()["rows"]}
    assert "not an e-mail address" in rows[2][0]
    assert rows[3] == ["The full name is missing."]
    assert any("also on line 2" in e for e in rows[4]) and any("not a date" in e for e in rows[4])
    assert rows[5] == ["The consent date is in the future."]
    assert rows[6] == []
    assert response.json()["errors"] == 4
    assert response.json()["code"] == "roster_rows_invalid"
    assert response.json()["detail"] == "Nothing was added: 4 rows have errors."
    assert not Person.objects.exists() and not course.roster.exists()


def test_a_student_number_of_another_teacher_is_refused(teacher, other_teacher, imported):
    course = CourseFactory(teachers=[teacher])
    CourseFactory(teachers=[other_teacher], roster=[PersonFactory(external_id="S101")])
    job = imported(course, GOOD).json()
    assert job["state"] == "failed" and job["imported"] == 0
    assert "cannot be used" in job["error"] and "S101" not in str(job)
    assert course.roster.count() == 0
    assert Person.objects.count() == 1


def test_a_dry_run_does_not_reveal_which_numbers_other_teachers_hold(
    teacher, other_teacher, teacher_api
):
    course = CourseFactory(teachers=[teacher])
    CourseFactory(teachers=[other_teacher], roster=[PersonFactory(external_id="S101")])
    taken = post(teacher_api, course, GOOD, dry_run=True).json()
    free = post(teacher_api, course, GOOD.replace("S101", "S999"), dry_run=True).json()
    assert taken["valid"] is free["valid"] is True
    for row in taken["rows"] + free["rows"]:
        row.pop("external_id")
    assert taken == free


def test_a_line_with_a_nul_byte_is_a_row_error(teacher, teacher_api):
    course = CourseFactory(teachers=[teacher])
    content = GOOD.replace("Alan Turing", "Alan\x00Turing")
    for dry_run in (True, False):
        response = post(teacher_api, course, content, dry_run=dry_run)
        assert response.status_code == (200 if dry_run else 400), response.content
        assert response.json()["valid"] is False
        errors = {row["line"]: row["errors"] for row in response.json()["rows"]}
        assert "NUL" in errors[3][0] and not errors[2]
    assert not Person.objects.exists()


def test_a_file_of_only_a_byte_order_mark_is_empty(teacher, teacher_api):
    course = CourseFactory(teachers=[teacher])
    for content in (b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n  \n"):
        response = post(teacher_api, course, content, dry_run=True)
        assert response.status_code == 400, response.content
        assert "The file is empty." in str(response.json())


def test_a_known_student_is_linked_not_duplicated(teacher, teacher_api, imported):
    known = PersonFactory(external_id="S100", created_by=teacher, email="")
    course = CourseFactory(teachers=[teacher])
    assert post(teacher_api, course, GOOD, dry_run=True).json()["rows"][0]["existing"] is True
    assert imported(course, GOOD).json()["state"] == "done"
    assert Person.objects.count() == 3
    known.refresh_from_db()
    assert known.email == "ada@school.example"


def test_a_file_that_is_not_utf8_is_refused_clearly(teacher, teacher_api):
    course = CourseFactory(teachers=[teacher])
    response = post(teacher_api, course, "name;number\nJosé Núñez;S1\n".encode("cp1252"))
    assert response.status_code == 400
    assert "not UTF-8" in response.json()["file"][0]
    assert not Person.objects.exists()


def test_a_huge_file_is_refused(teacher, teacher_api, settings):
    settings.ROSTER_IMPORT_MAX_BYTES = 4096
    course = CourseFactory(teachers=[teacher])
    rows = "".join(f"Student {n};S{n:05d}\n" for n in range(1000))
    response = post(teacher_api, course, "name;number\n" + rows)
    assert response.status_code == 400
    assert "too large" in response.json()["file"][0]
    assert not Person.objects.exists()


def test_a_file_without_the_needed_columns_says_which(teacher, teacher_api):
    course = CourseFactory(teachers=[teacher])
    response = post(teacher_api, course, "colour;size\nred;big\n")
    assert response.status_code == 400
    message = response.json()["file"][0]
    assert "no full name (or first name and last name) or student number column" in message
    assert "colour" in message


def test_a_missing_file_is_a_field_error(teacher, teacher_api):
    course = CourseFactory(teachers=[teacher])
    response = teacher_api.post(f"/api/courses/{course.pk}/roster-import/", {}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()


def test_another_teachers_course_is_not_found(teacher_api, other_teacher):
    course = CourseFactory(teachers=[other_teacher])
    assert post(teacher_api, course, GOOD).status_code == 404
    assert not Course.objects.get(pk=course.pk).roster.exists()


def test_another_teachers_job_is_not_found(teacher, other_teacher, teacher_api, imported):
    course = CourseFactory(teachers=[teacher])
    job = imported(course, GOOD).json()
    teacher_api.force_authenticate(other_teacher)
    assert teacher_api.get(f"/api/roster-imports/{job['id']}/").status_code == 404


def test_the_job_counts_rows_added_while_it_runs(teacher, teacher_api, monkeypatch):
    """The job's transaction shows nothing before it commits: the count comes from the cache,
    written every PROGRESS_EVERY rows."""
    from people import roster_import

    course = CourseFactory(teachers=[teacher])
    rows = "".join(f"Student {n};S{n:04d}\n" for n in range(60))
    job = post(teacher_api, course, "name;number\n" + rows).json()
    seen = []
    real_add = roster_import._add_row

    def add_and_poll(course, row, added_by):
        real_add(course, row, added_by)
        seen.append(teacher_api.get(job["url"]).json()["done"])

    monkeypatch.setattr(roster_import, "_add_row", add_and_poll)
    assert roster_import.run_roster_import(job_id=job["id"]) == "done"
    assert seen[0] == 0 and seen[30] == 25 and seen[-1] == 50
    assert teacher_api.get(job["url"]).json()["done"] == 60
