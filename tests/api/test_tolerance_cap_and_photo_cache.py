"""The course tolerance is capped and photo files are never cached."""

import pytest

from people.models import Course, EnrollmentPhoto
from tests.api.conftest import ENROLLED, enroll_from_samples, open_session_of
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(teacher, sample_encodings, shared_faces):
    course = CourseFactory(teachers=[teacher])
    enroll_from_samples(course, ENROLLED, sample_encodings, shared_faces)
    return course


@pytest.mark.parametrize("tolerance", [0.1, 0.2, 0.7, 0.9, 1.0])
def test_the_api_refuses_a_tolerance_outside_the_cap(teacher_api, course, tolerance):
    response = teacher_api.patch(
        f"/api/courses/{course.pk}/", {"recognition_tolerance": tolerance}, format="json"
    )
    assert response.status_code == 400
    assert "between 0.3 and 0.65" in str(response.json())


def test_the_admin_refuses_a_tolerance_outside_the_cap(course):
    from django.core.exceptions import ValidationError

    course.recognition_tolerance = 0.9
    with pytest.raises(ValidationError):
        course.full_clean()


@pytest.mark.parametrize(
    ("probe", "expected"),
    [
        ("lin-manuel-miranda.png", [None]),
        ("obama_and_biden.jpg", ["Biden", "Obama", None]),
    ],
)
def test_with_a_stored_tolerance_above_the_cap_strangers_stay_unknown(
    teacher_api, course, shared_faces, probe, expected
):
    Course.objects.filter(pk=course.pk).update(recognition_tolerance=0.95)  # from before the cap
    session = open_session_of(Course.objects.get(pk=course.pk))
    with (shared_faces / "probe" / probe).open("rb") as handle:
        response = teacher_api.post(f"/api/sessions/{session.pk}/checkin/", {"image": handle})
    assert response.status_code == 200
    names = sorted(
        ((face["person"] or {}).get("full_name") for face in response.json()["faces"]),
        key=lambda name: (name is None, name),
    )
    assert names == expected
    assert session.records.count() == len([name for name in expected if name])


def test_a_photo_file_is_sent_with_no_store(client, teacher, course):
    client.force_login(teacher)
    photo = EnrollmentPhoto.objects.filter(person__courses=course).first()
    response = client.get(f"/photos/{photo.pk}/image")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
