from io import StringIO

import pytest
from django.core.management import call_command

from people.models import Course, CourseClassifier, EnrollmentPhoto, Person


@pytest.mark.django_db(transaction=True)
def test_import_faces_reads_the_folder_layout_and_trains_the_course(shared_faces):
    out = StringIO()
    call_command(
        "import_faces",
        str(shared_faces / "enroll"),
        "--course",
        "Year 10",
        "--consent-recorded-on",
        "2026-09-01",
        stdout=out,
    )
    assert "5 people created" in out.getvalue()
    assert set(Person.objects.values_list("external_id", flat=True)) == {
        "alex_lacamoire",
        "biden",
        "kit_harington",
        "obama",
        "rose_leslie",
    }
    assert Person.objects.get(external_id="kit_harington").full_name == "Kit Harington"
    assert EnrollmentPhoto.objects.filter(status="ready").count() == 9
    classifier = CourseClassifier.objects.get(course__name="Year 10")
    assert (classifier.people_count, classifier.photos_count) == (5, 9)

    call_command("reencode_photos", "--status", "ready", stdout=out)
    assert EnrollmentPhoto.objects.filter(status="ready").count() == 9
    version = CourseClassifier.objects.get(course__name="Year 10").version
    call_command("retrain_courses", "--now", stdout=out)
    # Re-encoding gave the same encodings: the stored model is kept, not trained again.
    assert CourseClassifier.objects.get(course__name="Year 10").version == version
    Person.objects.get(external_id="biden").photos.first().delete()
    call_command("retrain_courses", "--now", stdout=out)
    assert CourseClassifier.objects.get(course__name="Year 10").version == version + 1
    assert Course.objects.count() == 1


def test_import_faces_refuses_a_missing_folder(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="is not a folder"):
        call_command(
            "import_faces", str(tmp_path / "nowhere"), "--consent-recorded-on", "2026-09-01"
        )
