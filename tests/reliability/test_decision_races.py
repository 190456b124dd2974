"""Double-clicks on PostgreSQL, as real parallel requests from two threads: confirming one
review twice (API and dashboard) and confirming one roster import twice answer "already
decided" (or the same answer twice) and write once, never a 500.

A barrier holds both requests after they have read what they act on, so the second always
acts on a row the first is changing: the interleaving a double-click produces.
"""

import threading

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from attendance.models import AttendanceRecord, PendingReview
from attendance.review_api import ReviewViewSet
from dashboard.views import reviews as review_pages
from people import roster_import
from people.models import Person
from tests.factories import CourseFactory, PersonFactory, SessionFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL on PostgreSQL (concurrent connections, row locks)")


def twice_at_once(request) -> list:
    """Run `request()` in two threads at once; their answers (or exceptions)."""
    answers = [None, None]

    def run(index):
        try:
            answers[index] = request()
        except Exception as error:  # a crash is an answer too: the test shows it
            answers[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    crashes = [a for a in answers if isinstance(a, Exception)]
    assert not crashes, f"a request crashed (a 500): {crashes!r}"
    return answers


def held_at_barrier(monkeypatch, owner, name):
    """Both requests wait for each other right after `owner.name` returned."""
    barrier = threading.Barrier(2, timeout=30)
    original = getattr(owner, name)

    def wrapped(*args, **kwargs):
        result = original(*args, **kwargs)
        barrier.wait()
        return result

    monkeypatch.setattr(owner, name, wrapped)


@pytest.fixture
def review(teacher):
    student = PersonFactory(full_name="Ada Student")
    course = CourseFactory(teachers=[teacher], roster=[student])
    session = SessionFactory(course=course, opened_at=timezone.now())
    review = PendingReview(session=session, candidate=student, distance=0.62)
    review.captured_at = timezone.now()
    review.crop.save("face.jpg", ContentFile(b"crop"), save=True)
    return review


def test_two_parallel_api_confirms_answer_once_and_then_already_decided(
    teacher, review, monkeypatch
):
    held_at_barrier(monkeypatch, ReviewViewSet, "get_object")

    def confirm():
        api = APIClient()
        api.force_authenticate(teacher)
        return api.post(f"/api/reviews/{review.pk}/confirm/", {}, format="json")

    answers = twice_at_once(confirm)
    assert sorted(a.status_code for a in answers) == [200, 409], answers
    conflict = next(a for a in answers if a.status_code == 409).json()
    assert conflict["code"] == "already_decided"
    assert "already decided" in conflict["detail"]
    assert AttendanceRecord.objects.filter(person=review.candidate).count() == 1
    assert not PendingReview.objects.exists()


def test_a_double_clicked_confirm_on_the_page_shows_already_decided(teacher, review, monkeypatch):
    held_at_barrier(monkeypatch, review_pages, "review_or_404")

    def click():
        client = Client()
        client.force_login(teacher)
        return client.post(reverse("dashboard:review-confirm", args=[review.pk]), follow=True)

    answers = twice_at_once(click)
    assert [a.status_code for a in answers] == [200, 200], answers
    pages = [a.content.decode() for a in answers]
    assert sum("already decided" in page for page in pages) == 1
    assert AttendanceRecord.objects.filter(person=review.candidate).count() == 1


@pytest.mark.parametrize("first", ["confirm", "reject"])
@pytest.mark.parametrize("second", ["confirm", "reject"])
def test_a_late_second_api_decision_answers_already_decided(
    teacher, other_teacher, review, first, second
):
    api = APIClient()
    api.force_authenticate(teacher)
    assert api.post(f"/api/reviews/{review.pk}/{first}/", {}, format="json").status_code in (
        200,
        204,
    )
    late = api.post(f"/api/reviews/{review.pk}/{second}/", {}, format="json")
    assert late.status_code == 409, late.content
    assert late.json()["code"] == "already_decided"
    stranger = APIClient()
    stranger.force_authenticate(other_teacher)
    # another teacher learns nothing: the same 404 as for any review not theirs
    assert stranger.post(f"/api/reviews/{review.pk}/{second}/").status_code == 404
    assert AttendanceRecord.objects.filter(person=review.candidate).count() == (
        1 if first == "confirm" else 0
    )


@pytest.mark.parametrize("second", ["review-confirm", "review-reject"])
def test_a_late_second_click_on_the_page_says_already_decided(teacher, review, second):
    client = Client()
    client.force_login(teacher)
    client.post(reverse("dashboard:review-confirm", args=[review.pk]))
    late = client.post(reverse(f"dashboard:{second}", args=[review.pk]), follow=True)
    assert late.status_code == 200
    assert late.redirect_chain[-1][0] == reverse("dashboard:session", args=[review.session_id])
    assert "already decided" in late.content.decode()
    assert AttendanceRecord.objects.filter(person=review.candidate).count() == 1


def test_a_double_clicked_roster_import_confirm_shows_the_answer_on_the_page(teacher, monkeypatch):
    course = CourseFactory(teachers=[teacher])
    client = Client()
    client.force_login(teacher)
    url = reverse("dashboard:roster-import", args=[course.pk])
    csv = b"Name,Student number\nAda Lovelace,R-1\nAlan Turing,R-2\n"
    preview = client.post(url, {"file": SimpleUploadedFile("roster.csv", csv)})
    assert preview.status_code == 200
    held_at_barrier(monkeypatch, roster_import, "preview_roster")

    def confirm():
        double = Client()
        double.cookies = client.cookies  # the same browser: the same session
        return double.post(url, {"confirm": "1"})

    answers = twice_at_once(confirm)
    statuses = sorted(a.status_code for a in answers)
    assert statuses in ([302, 400], [302, 302]), answers
    for answer in answers:
        if answer.status_code == 400:
            assert roster_import.NUMBERS_TAKEN in answer.content.decode()
    assert sorted(Person.objects.values_list("external_id", flat=True)) == ["R-1", "R-2"]
    assert course.roster.count() == 2
