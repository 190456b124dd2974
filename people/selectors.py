"""Read queries scoped to what a user may see: see people.access."""

import numpy as np
from django.db.models import QuerySet

from people.access import reach, sees_everything
from people.models import Course, EnrollmentPhoto, Person, TeacherProfile
from recognition import encoding, quality


def courses_for(user) -> QuerySet[Course]:
    if sees_everything(user):
        return Course.objects.all()
    return Course.objects.filter(teachers=user)


def people_for(user) -> QuerySet[Person]:
    """Everyone (see people.access), or the teacher's courses' students and the people they
    created that are on no course yet."""
    if sees_everything(user):
        return Person.objects.all()
    return Person.objects.filter(reach(user)).distinct()


def photos_for(user) -> QuerySet[EnrollmentPhoto]:
    if sees_everything(user):
        return EnrollmentPhoto.objects.all()
    return EnrollmentPhoto.objects.filter(person__in=people_for(user))


# Enrollment photo quality and guidance

ALIKE_DISTANCE = 0.15  # encodings closer than this are the same picture, or near enough


def poor_photos_only(person_ids) -> set[int]:
    """The people whose ready photos were all measured and all fall below the quality bar
    (recognition.quality): their review band stays off until a good photo arrives, because
    a face just beyond the tolerance of a poor photo is as likely a stranger as them.
    Photos encoded before the gate (no numbers) count as good."""
    rows = EnrollmentPhoto.objects.filter(
        person_id__in=list(person_ids), status=EnrollmentPhoto.Status.READY
    ).values_list("person_id", "quality")
    return _poor_only(rows)


def _poor_only(rows) -> set[int]:
    """Of (person id, quality numbers) rows of ready photos, who has only poor ones."""
    good, seen = set(), set()
    for person_id, numbers in rows:
        seen.add(person_id)
        if not quality.is_poor(numbers):
            good.add(person_id)
    return seen - good


def enrollment_guidance(course: Course) -> dict[str, list[Person]]:
    """Roster students who need better enrollment photos, for the course page:
    - `no_usable_photo`: no ready photo;
    - `poor_photos`: ready photos, all below the quality bar (review band off for them);
    - `one_photo`: a single ready photo (one pose, one light: recognition is fragile);
    - `alike_photos`: several ready photos whose encodings are all near-identical (the same
      picture twice, or a burst): as fragile as one photo."""
    roster = list(course.roster.filter(is_active=True).order_by("full_name"))
    encodings: dict[int, list] = {person.pk: [] for person in roster}
    # One read of the roster's ready photos: the course page asks again whenever one moves.
    rows = EnrollmentPhoto.objects.filter(
        person__in=roster, status=EnrollmentPhoto.Status.READY, encoding__isnull=False
    ).values_list("person_id", "encoding", "quality")
    for person_id, data, _ in rows:
        encodings[person_id].append(encoding.unpack_many([data])[0])
    poor = _poor_only((person_id, numbers) for person_id, _, numbers in rows)
    guidance = {"no_usable_photo": [], "poor_photos": [], "one_photo": [], "alike_photos": []}
    for person in roster:
        own = encodings[person.pk]
        if not own:
            guidance["no_usable_photo"].append(person)
        elif person.pk in poor:
            guidance["poor_photos"].append(person)
        elif len(own) == 1:
            guidance["one_photo"].append(person)
        elif _all_alike(np.stack(own)):
            guidance["alike_photos"].append(person)
    return guidance


def _all_alike(stacked: np.ndarray) -> bool:
    distances = np.linalg.norm(stacked[:, None, :] - stacked[None, :, :], axis=2)
    return float(distances.max()) < ALIKE_DISTANCE


def teacher_profile(user):
    """The user's TeacherProfile as stored now, or None (also for anonymous users): a
    request reads it once for both its time zone and its language."""
    if user is None or not user.is_authenticated:
        return None
    return TeacherProfile.objects.filter(user=user).first()
