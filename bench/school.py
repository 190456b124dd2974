"""A school of synthetic students: what one new enrollment photo costs in retraining."""

from __future__ import annotations

import time
import uuid
from datetime import date
from pathlib import Path
from unittest import mock

import numpy as np

from bench.training import EncodingSpace


def build_school(
    space: EncodingSpace, students: int, courses: int, courses_each: int, photos_each: int
) -> dict:
    """Bulk-insert people, courses, rosters and ready encodings (no signals, no training).

    Every student joins `courses_each` courses, one per round; in each round the students
    are shuffled and dealt into courses/courses_each equal courses, so every course has
    about students*courses_each/courses people.
    """
    from people.models import Course, EnrollmentPhoto, Person
    from recognition import encoding, faces

    if courses % courses_each:
        raise ValueError("courses must be a multiple of courses_each")
    rng = np.random.default_rng(4)
    tag = uuid.uuid4().hex[:8]
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
    per_round = courses // courses_each
    roster = Course.roster.through
    memberships = []
    for round_index in range(courses_each):
        groups = np.array_split(rng.permutation(students), per_round)
        for group_index, group in enumerate(groups):
            course = course_rows[round_index * per_round + group_index]
            memberships += [roster(course_id=course.pk, person_id=people[i].pk) for i in group]
    roster.objects.bulk_create(memberships, batch_size=5000)
    encodings, labels = space.photos(space.people(students, rng), photos_each, rng)
    encoder = faces.FaceConfig.from_settings().encoder_name
    EnrollmentPhoto.objects.bulk_create(
        (
            EnrollmentPhoto(
                person_id=people[label].pk,
                image="photos/synthetic.jpg",
                status=EnrollmentPhoto.Status.READY,
                encoding=encoding.pack(vector),
                encoder=encoder,
            )
            for vector, label in zip(encodings, labels, strict=True)
        ),
        batch_size=2000,
    )
    return {
        "person_ids": [p.pk for p in people],
        "course_ids": [c.pk for c in course_rows],
        "memberships": len(memberships),
        "photos": len(labels),
    }


def _versions(course_ids) -> dict[int, int]:
    from people.models import CourseClassifier

    stored = dict(
        CourseClassifier.objects.filter(course_id__in=course_ids).values_list("course", "version")
    )
    return {course_id: stored.get(course_id, 0) for course_id in course_ids}


def bench_new_photo(
    space: EncodingSpace,
    photo: Path,
    students: int,
    courses: int,
    courses_each: int,
    photos_each: int = 5,
) -> dict:
    """Upload one real photo for one student (people.services.add_photo; the encode task and
    the training tasks it queues run in-process) and see which courses were retrained."""
    from django.core.files import File

    from people import services, training
    from people.models import Person

    start = time.perf_counter()
    school = build_school(space, students, courses, courses_each, photos_each)
    build_s = time.perf_counter() - start
    student = Person.objects.get(pk=school["person_ids"][len(school["person_ids"]) // 2])
    their_courses = sorted(student.courses.values_list("pk", flat=True))
    before = _versions(school["course_ids"])

    trainings, encodings = [], []
    original_train, original_encode = training.train_course_now, services.encode_photo

    def timed_train(*, course_id):
        began = time.perf_counter()
        try:
            return original_train(course_id=course_id)
        finally:
            trainings.append((began, time.perf_counter()))

    def timed_encode(*, photo_id):
        began = time.perf_counter()
        try:
            return original_encode(photo_id=photo_id)
        finally:
            encodings.append((began, time.perf_counter()))

    with (
        mock.patch.object(training, "train_course_now", timed_train),
        mock.patch.object(services, "encode_photo", timed_encode),
        photo.open("rb") as handle,
    ):
        start = time.perf_counter()
        services.add_photo(person=student, upload=File(handle, name=photo.name))
        total_s = time.perf_counter() - start

    after = _versions(school["course_ids"])
    retrained = sorted(c for c in school["course_ids"] if after[c] > before[c])
    training_s = sum(end - began for began, end in trainings)
    # In-process, the trainings run inside the encode task (on its transaction's commit).
    nested_s = sum(
        end - began
        for began, end in trainings
        if any(e_began <= began <= e_end for e_began, e_end in encodings)
    )
    sizes = {
        course.pk: course.roster.count()
        for course in student.courses.all()  # the retrained ones, if all is well
    }
    return {
        "students": students,
        "courses": courses,
        "courses_per_student": courses_each,
        "encodings": school["photos"],
        "build_s": round(build_s, 1),
        "student_courses": len(their_courses),
        "student_course_sizes": sorted(sizes.values()),
        "courses_retrained": len(retrained),
        "trainings_run": len(trainings),
        "only_their_courses": retrained == their_courses,
        "encode_s": round(sum(end - began for began, end in encodings) - nested_s, 3),
        "training_s": round(training_s, 3),
        "per_training_s": [round(end - began, 3) for began, end in trainings],
        "total_s": round(total_s, 3),
    }


def bench_course_retrain(
    space: EncodingSpace, students: int, reps: int, photos_each: int = 5
) -> dict:
    """What the worker does to retrain a changed course: people.training.train_course_now
    reads the roster's encodings from the database, trains and stores the model."""
    from people.models import CourseClassifier
    from people.training import train_course_now

    school = build_school(space, students, courses=1, courses_each=1, photos_each=photos_each)
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
        "max_s": round(max(seconds), 3),
        "n": reps,
        "finished": True,
    }
