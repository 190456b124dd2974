"""The calibration panel of a course, on the real sample encodings."""

from itertools import combinations

import numpy as np
import pytest
from django.urls import reverse

from dashboard import calibration
from people.models import Person, TrainingRequest
from people.training import roster_encodings
from people.validation import TOLERANCE_LEVELS, TOLERANCE_MAX, TOLERANCE_MIN
from tests.api.conftest import enroll_from_samples
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db


def test_the_calibration_panel_explains_the_tolerance_for_this_roster(
    teacher, client, sample_encodings, shared_faces
):
    client.force_login(teacher)
    course = CourseFactory(teachers=[teacher], name="Drama")  # tolerance 0.6
    people = enroll_from_samples(
        course, ["obama", "alex_lacamoire", "biden"], sample_encodings, shared_faces
    )
    page = client.get(reverse("dashboard:calibration", args=[course.pk])).content.decode()
    # alex and obama are 0.76 apart in the sample photos: beyond the tolerance
    assert "The closest two students (Alex Lacamoire and Obama) are 0.76 apart" in page
    assert "a tolerance above 0.76 could confuse them" in page
    assert "within the current tolerance" not in page
    assert "Only one photo: add another." in page  # alex has a single photo
    assert "shown to you for review up to 0.66" in page

    # The same face enrolled under a second name: a look-alike within the tolerance.
    twin = Person.objects.create(full_name="Obama Twin", external_id="twin")
    for photo in people["obama"].photos.all():
        photo.pk, photo.person = None, twin
        photo.save()
    course.roster.add(twin)
    page = client.get(reverse("dashboard:calibration", args=[course.pk])).content.decode()
    assert "Look-alikes" in page and "within the current tolerance (0.60)" in page


def brute_force(groups: dict, tolerance: float) -> tuple[int, int, int]:
    """(genuine, missed, confused) by plain loops over the photos."""
    genuine = missed = 0
    for own in groups.values():
        for i, photo in enumerate(own):
            others = [np.linalg.norm(photo - other) for j, other in enumerate(own) if j != i]
            if others:
                genuine += 1
                missed += min(others) > tolerance
    confused = sum(
        1
        for a, b in combinations(groups, 2)
        if len(groups[a]) and len(groups[b])
        and min(np.linalg.norm(x - y) for x in groups[a] for y in groups[b]) <= tolerance
    )  # fmt: skip
    return genuine, missed, confused


def test_each_strictness_level_says_what_it_would_have_done_on_the_roster(
    teacher, client, sample_encodings, shared_faces, monkeypatch
):
    monkeypatch.setattr(calibration, "ROWS_PER_BLOCK", 3)  # blocks that split the roster
    client.force_login(teacher)
    course = CourseFactory(teachers=[teacher], name="Drama")
    people = enroll_from_samples(
        course, ["obama", "alex_lacamoire", "biden"], sample_encodings, shared_faces
    )
    twin = Person.objects.create(full_name="Obama Twin", external_id="twin")
    for photo in list(people["obama"].photos.all())[:1]:
        photo.pk, photo.person = None, twin
        photo.save()
    course.roster.add(twin)
    result = calibration.calibrate(course)
    encodings, labels = roster_encodings(course.pk, result_encoder())
    groups = {pk: encodings[np.asarray(labels) == pk] for pk in set(labels)}
    for level in result.levels:
        expected = brute_force(groups, TOLERANCE_LEVELS[level.key])
        assert (level.genuine, level.missed, level.confused) == expected, level
    assert [level.current for level in result.levels] == [False, True, False]  # 0.6
    assert result.levels[0].confused >= 1  # the twin is 0 apart from one of Obama's photos

    page = client.get(reverse("dashboard:calibration", args=[course.pk])).content.decode()
    balanced = result.levels[1]
    assert (
        f"On this class&#x27;s photos: would have missed {balanced.missed} of "
        f"{balanced.genuine} genuine matches" in page
    )
    for word in ("Strict", "Balanced", "Lenient"):
        assert word in page


def result_encoder() -> str:
    from recognition import faces

    return faces.FaceConfig.from_settings().encoder_name


def test_the_teacher_chooses_a_level_and_no_training_is_requested(teacher, client):
    client.force_login(teacher)
    course = CourseFactory(teachers=[teacher])
    url = reverse("dashboard:tolerance-level", args=[course.pk])
    response = client.post(url, {"level": "strict"}, follow=True)
    assert "Recognition is now Strict" in response.content.decode()
    course.refresh_from_db()
    assert course.recognition_tolerance == TOLERANCE_LEVELS["strict"] == 0.5
    assert not TrainingRequest.objects.filter(course=course).exists()
    assert 'value="strict" id="level-strict" checked' in response.content.decode()

    response = client.post(url, {"level": "0.9"}, follow=True)
    assert "Choose Strict, Balanced or Lenient." in response.content.decode()
    course.refresh_from_db()
    assert course.recognition_tolerance == 0.5


def test_a_teacher_of_another_course_cannot_change_the_level(teacher, other_teacher, client):
    course = CourseFactory(teachers=[teacher])
    client.force_login(other_teacher)
    url = reverse("dashboard:tolerance-level", args=[course.pk])
    assert client.post(url, {"level": "lenient"}).status_code == 404
    course.refresh_from_db()
    assert course.recognition_tolerance is None


def test_every_level_is_within_the_cap():
    assert all(TOLERANCE_MIN <= value <= TOLERANCE_MAX for value in TOLERANCE_LEVELS.values())
