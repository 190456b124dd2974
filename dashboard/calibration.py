"""The calibration panel of a course: how far apart its students' faces are, and what the
tolerance means for this roster.

Computed from the roster's ready encodings (those the classifier is trained on), with numpy
only: pairs of students by the distance between their nearest encodings, each student's
spread (the largest distance between two of their own photos), hints a teacher can act
on, and for each strictness level (people.validation.TOLERANCE_LEVELS) what it would have
done with the roster's own photos, in words rather than distances.
"""

from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from people.models import Course, Person
from people.training import roster_encodings
from people.validation import TOLERANCE_LEVELS
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


LEVEL_WORDS = {
    "strict": (
        gettext_lazy("Strict"),
        gettext_lazy(
            "Names a face only when it is very close to the student's photos: fewer "
            "mix-ups, more faces left to you."
        ),
    ),
    "balanced": (gettext_lazy("Balanced"), gettext_lazy("The usual setting.")),
    "lenient": (
        gettext_lazy("Lenient"),
        gettext_lazy(
            "Names more faces in poor light or at an angle, with more risk of mixing up "
            "look-alikes."
        ),
    ),
}
ROWS_PER_BLOCK = 512  # encodings compared at once: memory stays small for any roster


@dataclass(frozen=True)
class LevelEffect:
    """What a strictness level would have done with the roster's own photos."""

    key: str
    label: str
    description: str
    current: bool
    genuine: int  # photos with another photo of the same student to be matched against
    missed: int  # of those, not matched to their own student at this level
    confused: int  # pairs of students with photos within this level of each other

    @property
    def effect(self) -> str:
        if not self.genuine:
            return str(_("Not enough photos to tell: each student needs at least two."))
        missed = ngettext(
            "would have missed %(missed)d of %(genuine)d genuine match",
            "would have missed %(missed)d of %(genuine)d genuine matches",
            self.genuine,
        ) % {"missed": self.missed, "genuine": self.genuine}
        confused = ngettext(
            "would have confused %(count)d pair of students",
            "would have confused %(count)d pairs of students",
            self.confused,
        ) % {"count": self.confused}
        return str(_("On this class's photos: %(missed)s; %(confused)s.")) % {
            "missed": missed,
            "confused": confused,
        }


@dataclass(frozen=True)
class Calibration:
    tolerance: float
    margin: float
    pairs: list[Pair]
    students: list[StudentSpread]
    summary: list[str]
    levels: list[LevelEffect] = field(default_factory=list)

    @property
    def custom_tolerance(self) -> bool:
        """Set by an administrator to a value none of the levels has."""
        return not any(level.current for level in self.levels)

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
    levels = level_effects(encodings, labels, tolerance)
    return Calibration(
        tolerance, margin, pairs, students, summary(pairs, students, tolerance), levels
    )


def level_effects(encodings: np.ndarray, labels: np.ndarray, current: float) -> list[LevelEffect]:
    own, between = nearest_distances(encodings, labels, max(TOLERANCE_LEVELS.values()))
    genuine = own[np.isfinite(own)]
    return [
        LevelEffect(
            key=key,
            label=str(LEVEL_WORDS[key][0]),
            description=str(LEVEL_WORDS[key][1]),
            current=abs(current - tolerance) < 1e-9,
            genuine=len(genuine),
            missed=int((genuine > tolerance).sum()),
            confused=sum(1 for distance in between.values() if distance <= tolerance),
        )
        for key, tolerance in TOLERANCE_LEVELS.items()
    ]


def nearest_distances(encodings: np.ndarray, labels: np.ndarray, limit: float):
    """Each photo's distance to the nearest other photo of its own student (inf when it has
    none), and for each pair of students with photos within `limit`, their nearest distance.
    Compared ROWS_PER_BLOCK rows at a time."""
    encodings = np.asarray(encodings, dtype=np.float64)
    own = np.full(len(encodings), np.inf)
    between: dict[tuple[int, int], float] = {}
    squares = (encodings**2).sum(axis=1)
    for start in range(0, len(encodings), ROWS_PER_BLOCK):
        rows = np.arange(start, min(start + ROWS_PER_BLOCK, len(encodings)))
        block = squares[rows][:, None] + squares[None, :] - 2 * encodings[rows] @ encodings.T
        distances = np.sqrt(np.maximum(block, 0.0))
        distances[np.arange(len(rows)), rows] = np.inf  # not a photo with itself
        same = labels[rows][:, None] == labels[None, :]
        own[rows] = np.where(same, distances, np.inf).min(axis=1, initial=np.inf)
        for row, column in np.argwhere(~same & (distances <= limit)):
            key = tuple(sorted((int(labels[rows[row]]), int(labels[column]))))
            between[key] = min(between.get(key, np.inf), float(distances[row, column]))
    return own, between


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
