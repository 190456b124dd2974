"""Enrollment: photos per second through the encode task, against the plain recipe."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from PIL import Image

from bench import recipe


def _megapixels(paths: list[Path]) -> str:
    sizes = []
    for path in paths:
        with Image.open(path) as image:
            sizes.append(image.width * image.height / 1e6)
    low, high = min(sizes), max(sizes)
    return f"{low:.1f}" if round(low, 1) == round(high, 1) else f"{low:.1f}-{high:.1f}"


def bench_enrollment(photo_sets: dict[str, list[tuple[str, Path]]], passes: int) -> list[dict]:
    """For each set: store the photos as pending enrollment photos of people in no course
    (so no training follows), one person each, then time `people.tasks.encode_photo.apply`
    (the Celery task, run in-process) on each, `passes` times; and the recipe on the same
    files."""
    from django.core.files import File

    from people.models import EnrollmentPhoto, Person
    from people.tasks import encode_photo

    rows = []
    for label, photos in photo_sets.items():
        # One person per photo: several people's faces on one person would be held for
        # review as "unlike their other photos" (people.photo_checks), not encoded as ready.
        people, stored = [], []
        for _, path in photos:
            person = Person.objects.create(
                full_name=f"Benchmark {label}", external_id=f"bench-{uuid.uuid4().hex[:12]}"
            )
            people.append(person)
            photo = EnrollmentPhoto(person=person)
            with path.open("rb") as handle:
                photo.image.save(path.name, File(handle), save=True)
            stored.append(photo.pk)
        app_seconds, statuses = 0.0, []
        for _ in range(passes):
            # Back to pending: the task encodes only photos that are not finished yet.
            EnrollmentPhoto.objects.filter(pk__in=stored).update(
                status=EnrollmentPhoto.Status.PENDING, processing_attempts=0
            )
            for photo_id in stored:
                start = time.perf_counter()
                statuses.append(encode_photo.apply(args=[photo_id]).get())
                app_seconds += time.perf_counter() - start
        recipe_seconds, one_face = 0.0, 0
        for _ in range(passes):
            for _, path in photos:
                start = time.perf_counter()
                found = recipe.faces_in(path)
                recipe_seconds += time.perf_counter() - start
                one_face += len(found) == 1
        for person in people:
            person.delete()
        count = len(photos) * passes
        app_rate, recipe_rate = count / app_seconds, count / recipe_seconds
        rows.append(
            {
                "photos": label,
                "count": len(photos),
                "megapixels": _megapixels([path for _, path in photos]),
                "passes": passes,
                "app_photos_per_s": round(app_rate, 2),
                "app_ready": f"{statuses.count('ready') // passes}/{len(photos)}",
                "recipe_photos_per_s": round(recipe_rate, 2),
                "recipe_one_face": f"{one_face // passes}/{len(photos)}",
                "speedup": round(app_rate / recipe_rate, 1),
            }
        )
    return rows
