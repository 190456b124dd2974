"""ZIP photo imports matched the way schools name photos: by student number, by full name in
any case and with or without accents, or by a folder per student named either way; files that
match nobody are listed with the closest names, and a name two students share is refused.

Real photos of the sample faces, encoded in the background task.
"""

import pytest

from people.models import EnrollmentPhoto
from people.photo_matching import NoStudent, RosterMatcher, normalise_name
from tests.api.test_photo_import import face, make_zip, post
from tests.factories import CourseFactory, PersonFactory


@pytest.fixture
def course(teacher):
    people = [
        PersonFactory(full_name="Ada Lovelace", external_id="S001"),
        PersonFactory(full_name="Zoë López-García", external_id="S002"),
        PersonFactory(full_name="Alan Turing", external_id="S003"),
    ]
    return CourseFactory(teachers=[teacher], roster=people)


def imported(teacher_api, course, files, capture) -> dict[str, str]:
    """Import the archive; the student number each file became a photo of."""
    with capture(execute=True):
        response = post(teacher_api, course, make_zip(files))
    assert response.status_code == 202, response.content
    progress = teacher_api.get(f"/api/photo-imports/{response.json()['id']}/").json()
    assert progress["state"] == "done", progress
    return {entry["file"]: entry["external_id"] for entry in progress["files"]}


def refused(teacher_api, course, files) -> str:
    response = post(teacher_api, course, make_zip(files))
    assert response.status_code == 400, response.content
    assert not EnrollmentPhoto.objects.exists()
    return "\n".join(response.json()["file"])


NAMING_SCHEMES = {
    "full names in any case, with a counter": [
        ("Ada Lovelace.jpg", "S001"),
        ("ada_lovelace_2.png", "S001"),
        ("ALAN-TURING.JPG", "S003"),
    ],
    "names with or without their accents": [
        ("zoe lopez-garcia.jpg", "S002"),
        ("ZOË LÓPEZ GARCÍA 2.jpg", "S002"),
        # the same name written with combining accents (as macOS stores file names)
        ("Zoe\u0308 Lo\u0301pez-Garci\u0301a_3.jpg", "S002"),
    ],
    "a folder per student, named by number or by name": [
        ("class 7b/S003/IMG_0001.jpg", "S003"),
        ("class 7b/Ada Lovelace/IMG_0002.jpg", "S001"),
        ("class 7b/ada lovelace/IMG_0003.jpg", "S001"),
    ],
    "student numbers, as before": [("S001.jpg", "S001"), ("S003_2.jpg", "S003")],
}


@pytest.mark.parametrize("scheme", NAMING_SCHEMES)
def test_each_naming_scheme_gives_each_file_to_its_student(
    scheme, teacher_api, course, shared_faces, django_capture_on_commit_callbacks
):
    expected = dict(NAMING_SCHEMES[scheme])
    samples = [face(shared_faces, name, i) for name in ("obama", "biden") for i in (0, 1)]
    files = {name: samples[i] for i, name in enumerate(expected)}
    matched = imported(teacher_api, course, files, django_capture_on_commit_callbacks)
    assert matched == expected
    for number in set(expected.values()):
        count = list(expected.values()).count(number)
        assert EnrollmentPhoto.objects.filter(person__external_id=number).count() == count


def test_unmatched_files_are_listed_with_the_closest_names(teacher_api, course, shared_faces):
    text = refused(
        teacher_api,
        course,
        {
            "Ada Lovelace.jpg": face(shared_faces, "obama"),
            "Ada Lovelase.jpg": face(shared_faces, "obama"),
            "Alan Turnig/1.jpg": face(shared_faces, "biden"),
            "Grace Hopper.jpg": face(shared_faces, "biden"),
        },
    )
    assert "Nothing was imported: 3 of 4 files" in text
    assert (
        "Ada Lovelase.jpg: no student of this course has this student number or name. "
        "Did you mean Ada Lovelace?"
    ) in text
    assert "Alan Turnig/1.jpg: no student" in text and "Did you mean Alan Turing?" in text
    grace = next(line for line in text.splitlines() if line.startswith("Grace Hopper.jpg"))
    assert "Did you mean" not in grace  # nobody is close: no made-up suggestion


def test_a_name_two_students_share_is_refused_and_their_numbers_still_work(
    teacher, teacher_api, shared_faces, django_capture_on_commit_callbacks
):
    twins = [
        PersonFactory(full_name="Sam Smith", external_id="S010"),
        PersonFactory(full_name="Sam  SMITH", external_id="S011"),
    ]
    course = CourseFactory(teachers=[teacher], roster=twins)
    text = refused(teacher_api, course, {"Sam Smith.jpg": face(shared_faces, "obama")})
    assert "Sam Smith.jpg: 2 students of this course are called Sam Smith (S010, S011)" in text
    assert "name this file by the student number" in text
    # a folder named by the shared name, holding files named by number, is still clear
    files = {"Sam Smith/S011.jpg": face(shared_faces, "obama")}
    assert imported(teacher_api, course, files, django_capture_on_commit_callbacks) == {
        "Sam Smith/S011.jpg": "S011"
    }


def test_normalised_names_drop_case_accents_and_separators():
    assert normalise_name("  Zoë_LÓPEZ-garcía.2 ") == "zoe lopez garcia 2"
    assert normalise_name("ǅemal Ⅸ") == normalise_name("dzemal ix")  # compatibility forms too


def test_a_file_matches_no_student_whose_number_is_only_part_of_its_name():
    matcher = RosterMatcher.for_people(
        [PersonFactory.build(full_name="Ada Lovelace", external_id="S1")]
    )
    with pytest.raises(NoStudent):
        matcher.match("S12.jpg")
    with pytest.raises(NoStudent):
        matcher.match("Ada.jpg")
