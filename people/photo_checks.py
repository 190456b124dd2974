"""Wrong-photo and duplicate-face checks when an enrollment photo has been encoded.

A photo is held for the teacher (status `needs_review`, not used for training) when
- it is within the tolerance of another person the uploading teacher can see ("looks like
  Barack Obama (S001)"): a photo uploaded to the wrong student, or one student enrolled
  under two names (proxy attendance);
- it is farther than the tolerance from every other ready photo of the same person ("this
  may not be Kit Harington").
Who "the teacher can see" is: the students of the person's courses and the people visible
to whoever created the person (people.selectors.people_for), the people whose encodings
the course classifiers compare a face with. The tolerance is the strictest of the person's
courses (the site default without a course). A photo the teacher kept is not checked again.
"""

from typing import NamedTuple

import numpy as np
from django.conf import settings
from django.db.models import Q

from people.models import EnrollmentPhoto, Person
from people.selectors import people_for
from recognition import encoding


class Finding(NamedTuple):
    reason: str  # "" when the photo can be used
    looks_like: Person | None = None  # shown next to the held photo


def review_reason(*, photo: EnrollmentPhoto, probe, encoder: str) -> Finding:
    """Why a teacher should look at this newly encoded photo, and whom it looks like."""
    if photo.kept_after_review:
        return Finding("")
    person = photo.person
    other = None
    tolerance = tolerance_for(person)
    probe = np.asarray(probe, dtype=np.float32)
    notes = []
    closest = _closest_other_person(person, probe, encoder)
    if closest is not None and closest[1] <= tolerance:
        other = closest[0]
        notes.append(f"This photo looks like {other.full_name} ({other.external_id}).")
    own = _encodings(EnrollmentPhoto.objects.filter(person=person).exclude(pk=photo.pk), encoder)[0]
    if len(own) and float(np.linalg.norm(own - probe, axis=1).min()) > tolerance:
        notes.append(f"This may not be {person.full_name}: it is unlike their other photos.")
    return Finding(" ".join(notes), other)


def tolerance_for(person: Person) -> float:
    tolerances = [course.effective_tolerance for course in person.courses.all()]
    return min(tolerances, default=settings.RECOGNITION_TOLERANCE)


def visible_people(person: Person):
    """The people a face of `person` is compared with (not `person`)."""
    scope = Q(courses__in=person.courses.all())
    if person.created_by is not None:
        scope |= Q(pk__in=people_for(person.created_by).values("pk"))
    return Person.objects.filter(scope).exclude(pk=person.pk).distinct()


def _closest_other_person(person: Person, probe, encoder: str):
    """(person, distance) of the nearest ready encoding of a visible person, or None."""
    photos = EnrollmentPhoto.objects.filter(person__in=visible_people(person).values("pk"))
    encodings, owners = _encodings(photos, encoder)
    if not len(encodings):
        return None
    distances = np.linalg.norm(encodings - probe, axis=1)
    nearest = int(distances.argmin())
    return Person.objects.get(pk=owners[nearest]), float(distances[nearest])


def _encodings(photos, encoder: str):
    rows = list(
        photos.filter(
            status=EnrollmentPhoto.Status.READY, encoder=encoder, encoding__isnull=False
        ).values_list("person_id", "encoding")
    )
    return encoding.unpack_many(data for _, data in rows), [pid for pid, _ in rows]
