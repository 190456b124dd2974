"""The calibration panel of a course, on the real sample encodings."""

import pytest
from django.urls import reverse

from people.models import Person
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
