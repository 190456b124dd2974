"""A school of synthetic students: what one new enrollment photo costs in retraining, and
what retraining a changed course costs through the database."""

from __future__ import annotations

import time
import uuid
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from unittest import mock

import numpy as np

from bench.training import EncodingSpace


def build_school(space: EncodingSpace, students: int, courses: int, courses_each: int) -> dict:
    """Bulk-insert people, courses, rosters and 5 ready encodings each (no signals, no
    training). Every student joins `courses_each` courses, one per round; in each round the
    students are shuffled and dealt into courses/courses_each equal courses."""
    from people.models import Course, EnrollmentPhoto, Person
    from recognition import encoding, faces

    if courses % courses_each:
        raise ValueError("courses must be a multiple of courses_each")
    rng, tag = np.random.default_rng(4), uuid.uuid4().hex[:8]
    people = Person.objects.bulk_create(
        Person(
            full_name=f"Student {i}",
            external_id=f"school-{tag}-{i}",
            consent_recorded_on=date.today(),
        )
        for i in range(students)
    )
    course_rows = Course.objects.bulk_create(
        Course(name=f"School course {tag} {i}") for i in range(courses)
    )
    per_round, roster = courses // courses_each, Course.roster.through
    memberships = [
        roster(
            course_id=course_rows[round_index * per_round + group_index].pk, person_id=people[i].pk
        )
        for round_index in range(courses_each)
        for group_index, group in enumerate(np.array_split(rng.permutation(students), per_round))
        for i in group
    ]
    roster.objects.bulk_create(memberships, batch_size=5000)
    encodings, labels = space.photos(space.people(students, rng), 5, rng)
    encoder = faces.FaceConfig.from_settings().encoder_name
    ready = EnrollmentPhoto.Status.READY
    EnrollmentPhoto.objects.bulk_create(
        (
            EnrollmentPhoto(person_id=people[label].pk, image="photos/synthetic.jpg", status=ready,
                            encoding=encoding.pack(vector), encoder=encoder)
            for vector, label in zip(encodings, labels, strict=True)
        ),
        batch_size=2000,
    )  # fmt: skip
    return {
        "person_ids": [p.pk for p in people],
        "course_ids": [c.pk for c in course_rows],
        "photos": len(labels),
    }


def _versions(course_ids) -> dict[int, int]:
    from people.models import CourseClassifier

    rows = CourseClassifier.objects.filter(course_id__in=course_ids).values_list(
        "course", "version"
    )
    return {course_id: dict(rows).get(course_id, 0) for course_id in course_ids}


def bench_new_photo(
    space: EncodingSpace, photo: Path, students: int, courses: int, courses_each: int
) -> dict:
    """Upload one real photo for one student (people.services.add_photo; the encode task and
    the training tasks it queues run in-process) and see which courses were retrained."""
    from django.core.files import File

    from people import services, training
    from people.models import Person

    school = build_school(space, students, courses, courses_each)
    student = Person.objects.get(pk=school["person_ids"][students // 2])
    their_courses = sorted(student.courses.values_list("pk", flat=True))
    before = _versions(school["course_ids"])
    spans = {"train_course_now": [], "encode_photo": []}

    def recorded(module, name):
        original = getattr(module, name)

        def wrapper(**kwargs):
            began = time.perf_counter()
            try:
                return original(**kwargs)
            finally:
                spans[name].append((began, time.perf_counter()))

        return mock.patch.object(module, name, wrapper)

    with ExitStack() as stack:
        stack.enter_context(recorded(training, "train_course_now"))
        stack.enter_context(recorded(services, "encode_photo"))
        handle = stack.enter_context(photo.open("rb"))
        start = time.perf_counter()
        services.add_photo(person=student, upload=File(handle, name=photo.name))
        total_s = time.perf_counter() - start

    after = _versions(school["course_ids"])
    retrained = sorted(c for c in school["course_ids"] if after[c] > before[c])
    trainings = [end - began for began, end in spans["train_course_now"]]
    # In-process, the trainings run inside the encode task (on its transaction's commit).
    encode_s = sum(end - began for began, end in spans["encode_photo"]) - sum(trainings)
    return {
        "students": students,
        "courses": courses,
        "encodings": school["photos"],
        "student_courses": len(their_courses),
        "student_course_sizes": sorted(c.roster.count() for c in student.courses.all()),
        "courses_retrained": len(retrained),
        "trainings_run": len(trainings),
        "only_their_courses": retrained == their_courses,
        "encode_s": round(encode_s, 3),
        "training_s": round(sum(trainings), 3),
        "per_training_s": [round(seconds, 3) for seconds in trainings],
        "total_s": round(total_s, 3),
    }


def bench_course_retrain(space: EncodingSpace, students: int, reps: int) -> dict:
    """What the worker does to retrain a changed course: people.training.train_course_now
    reads the roster's encodings from the database, trains and stores the model."""
    from people.models import CourseClassifier
    from people.training import train_course_now

    school = build_school(space, students, courses=1, courses_each=1)
    course_id = school["course_ids"][0]
    seconds = []
    for _ in range(reps):
        # As if the roster had changed: an unchanged one is not trained again (input digest).
        CourseClassifier.objects.filter(course_id=course_id).update(input_digest="")
        start = time.perf_counter()
        train_course_now(course_id=course_id)
        seconds.append(time.perf_counter() - start)
    return {
        "people": students,
        "encodings": school["photos"],
        "how": "training.train_course_now",
        "train_s": round(float(np.median(seconds)), 3),
        "n": reps,
        "note": "",
    }
