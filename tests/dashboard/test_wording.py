"""One label per method of marking on every page, in the CSV and the API docs (the model's
choices), plain words instead of face distances for teachers, and no count of 0 photos."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from attendance.models import AttendanceRecord, PendingReview
from attendance.reviews import likeness
from tests.conftest import PROJECT_ROOT
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

Method = AttendanceRecord.Method
OLD_WORDS = ("set by the system", "face check-in at", "Distance", "trained on 0", "Manual")


@pytest.fixture
def marked(session, teacher):
    """One record of each method in the (opened) session, on a student each."""
    session.opened_at = timezone.now()
    session.save(update_fields=["opened_at"])
    records = {}
    for method in Method:
        person = PersonFactory(full_name=f"Pupil {method.value}")
        session.course.roster.add(person)
        changed_by = None if method in (Method.FACE, Method.ABSENT_AT_CLOSE) else teacher
        records[method] = AttendanceRecord.objects.create(
            session=session,
            person=person,
            status="absent" if method == Method.ABSENT_AT_CLOSE else "present",
            method=method,
            changed_by=changed_by,
            recorded_at=timezone.now(),
        )
    return records


def assert_no_old_words(text: str) -> None:
    for words in OLD_WORDS:
        assert words not in text, words


def test_the_live_page_names_each_method_by_its_label(teacher_client, session, marked):
    page = teacher_client.get(reverse("dashboard:session", args=[session.pk])).content.decode()
    for method in Method:
        assert re.search(rf"{re.escape(str(method.label))}, \d\d:\d\d", page), method.label
    assert_no_old_words(page)


def test_the_student_history_uses_the_same_labels(teacher_client, session, marked):
    for method, record in marked.items():
        url = reverse("dashboard:student-history", args=[session.course.pk, record.person.pk])
        page = teacher_client.get(url).content.decode()
        assert f"{method.label}, " in page
        assert_no_old_words(page)


def test_the_all_courses_csv_uses_the_same_labels(client, teacher, session, marked):
    teacher.user_permissions.add(Permission.objects.get(codename="see_everyone"))
    client.force_login(teacher)
    csv = client.get(reverse("dashboard:export-all")).getvalue().decode()
    for method in Method:
        assert f",{method.label}," in csv
    assert_no_old_words(csv)


def test_the_api_docs_list_the_same_labels():
    docs = (PROJECT_ROOT / "docs" / "api.md").read_text()
    for method in Method:
        assert f"| `{method.value}` | {method.label} |" in docs


def test_a_review_is_described_in_words_not_distances(teacher_client, session, ada):
    tolerance = session.course.effective_tolerance
    PendingReview.objects.create(session=session, candidate=ada, distance=tolerance + 0.01)
    page = teacher_client.get(reverse("dashboard:session", args=[session.pk])).content.decode()
    assert "A close match, but not a clear one: check before you confirm." in page
    assert not re.search(r"0\.\d\d", page.split('id="reviews"')[-1][:4000])
    assert_no_old_words(page)


@pytest.mark.parametrize(
    ("distance", "words"),
    [
        (0.50, "a clear match"),
        (0.62, "a close match, but not a clear one"),
        (0.66, "not a clear match"),
    ],
)
def test_likeness_words(distance, words):
    assert likeness(distance, tolerance=0.6, margin=0.06) == words


def test_a_course_without_photos_says_so(teacher_client, course):
    from people.models import CourseClassifier

    CourseClassifier.objects.create(course=course, trained_at=timezone.now(), photos_count=0)
    page = teacher_client.get(reverse("dashboard:course", args=[course.pk])).content.decode()
    assert "No photos ready yet" in page
    assert_no_old_words(page)
