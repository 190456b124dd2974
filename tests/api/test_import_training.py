import pytest
from django.core.management import call_command

from people.models import CourseClassifier
from people.training import pending_since


@pytest.mark.django_db(transaction=True)
def test_an_in_process_import_trains_the_course_once_not_once_per_photo(shared_faces):
    call_command(
        "import_faces",
        str(shared_faces / "enroll"),
        "--course",
        "Year 11",
        "--consent-recorded-on",
        "2026-09-01",
    )
    classifier = CourseClassifier.objects.get(course__name="Year 11")
    assert (classifier.people_count, classifier.photos_count) == (5, 9)
    assert classifier.version == 1
    assert pending_since(classifier.course_id) is None
