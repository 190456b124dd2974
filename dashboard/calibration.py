"""The calibration panel of a course: how far apart its students' faces are, and what the
tolerance means for this roster.

Computed from the roster's ready encodings (those the classifier is trained on), with numpy
only: pairs of students by the distance between their nearest encodings, each student's
spread (the largest distance between two of their own photos), and hints a teacher can act
on.
"""

from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from people.models import Course, Person
from people.training import roster_encodings
from recognition import faces

CLOSEST_PAIRS = 5
# Two photos of one person closer than this are nearly the same picture (the sample
# faces' own photos are 0.34-0.41 apart; a burst of identical selfies is below 0.15).
TOO_SIMILAR = 0.15
ENOUGH_PHOTOS = 2


@dataclass(frozen=True)
class Pair:
    first: Person
    second: Person
    distance: float
    lookalike: bool  # within the tolerance: a face of one could be named as the other


@dataclass(frozen=True)
class StudentSpread:
    person: Person
    photos: int
    spread: float | None  # None with fewer than two photos
    hints: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Calibration:
    tolerance: float
    margin: float
    pairs: list[Pair]
    students: list[StudentSpread]
    summary: list[str]

    @property
    def review_up_to(self) -> float:
        return self.tolerance + self.margin


def calibrate(course: Course) -> Calibration:
    encoder = faces.FaceConfig.from_settings().encoder_name
    encodings, labels = roster_encodings(course.pk, encoder)
    labels = np.asarray(labels, dtype=np.int64)
    tolerance, margin = course.effective_tolerance, course.review_margin
    people = {p.pk: p for p in course.roster.order_by("full_name", "pk")}
    groups = {pk: encodings[labels == pk] for pk in people}
    pairs = closest_pairs(people, groups, tolerance)
    students = [spread_of(people[pk], groups[pk], tolerance) for pk in people]
    return Calibration(tolerance, margin, pairs, students, summary(pairs, students, tolerance))


def _min_distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a[:, None, :] - b[None, :, :], axis=2).min())


def closest_pairs(people, groups, tolerance: float) -> list[Pair]:
    enrolled = [pk for pk in people if len(groups[pk])]
    pairs = [
        Pair(people[a], people[b], d, d <= tolerance)
        for a, b in combinations(enrolled, 2)
        for d in [_min_distance(groups[a], groups[b])]
    ]
    return sorted(pairs, key=lambda pair: pair.distance)[:CLOSEST_PAIRS]


def spread_of(person: Person, own: np.ndarray, tolerance: float) -> StudentSpread:
    count = len(own)
    if count < 2:
        hint = _("No ready photo: add one.") if count == 0 else _("Only one photo: add another.")
        return StudentSpread(person, count, None, [hint])
    distances = [float(np.linalg.norm(a - b)) for a, b in combinations(own, 2)]
    spread, hints = max(distances), []
    if spread < TOO_SIMILAR:
        hints.append(_("The photos are nearly the same: add a photo in different light."))
    if spread > tolerance:
        hints.append(
            _(
                "Two photos are %(spread).2f apart, more than the tolerance: check they are all "
                "of this student."
            )
            % {"spread": spread}
        )
    return StudentSpread(person, count, spread, hints)


def summary(pairs: list[Pair], students: list[StudentSpread], tolerance: float) -> list[str]:
    lines = []
    if pairs:
        closest = pairs[0]
        lines.append(
            _(
                "The closest two students (%(first)s and "
                "%(second)s) are %(distance).2f apart: a tolerance "
                "above %(distance).2f could confuse them."
            )
            % {
                "first": closest.first.full_name,
                "second": closest.second.full_name,
                "distance": closest.distance,
            }
        )
        if closest.lookalike:
            lines.append(
                _(
                    "That is within the current tolerance (%(tolerance).2f): lower it, or add "
                    "clearer photos of both, so neither is marked in the other's name."
                )
                % {"tolerance": tolerance}
            )
    spreads = [s.spread for s in students if s.spread is not None]
    if spreads:
        lines.append(
            _(
                "A student's own photos are up to %(largest).2f apart (median "
                "%(median).2f): a check-in farther than %(tolerance).2f from "
                "every photo of a student is not named."
            )
            % {"largest": max(spreads), "median": float(np.median(spreads)), "tolerance": tolerance}
        )
    few = sum(1 for s in students if s.photos < ENOUGH_PHOTOS)
    if few:
        lines.append(
            ngettext(
                "%(count)s student with fewer than two photos.",
                "%(count)s students with fewer than two photos.",
                few,
            )
            % {"count": few}
        )
    return lines
