"""Read queries of the pages, shared by each page and the JSON view that keeps it current."""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import (
    Count,
    Exists,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from attendance.models import (
    AttendanceRecord,
    AttendanceSession,
    PendingReview,
    UnrecognisedAttempt,
)
from attendance.selectors import people_of_sessions
from people.models import Course, CourseClassifier, EnrollmentPhoto, Person


def photos_prefetch() -> Prefetch:
    photos = EnrollmentPhoto.objects.order_by("uploaded_at", "pk").defer("encoding")
    return Prefetch("photos", queryset=photos.select_related("looks_like"))


def roster_with_photos(course: Course) -> QuerySet[Person]:
    return course.roster.order_by("full_name", "pk").prefetch_related(photos_prefetch())


def with_photos(people: list[Person]) -> list[Person]:
    """One page of students with their photos (one query for the page)."""
    prefetch_related_objects(people, photos_prefetch())
    return people


def held_photos(course: Course) -> QuerySet[EnrollmentPhoto]:
    """The course's photos held for the teacher's decision ("needs review")."""
    return EnrollmentPhoto.objects.filter(
        person__courses=course, status=EnrollmentPhoto.Status.NEEDS_REVIEW
    )


def courses_with_held_photos(courses: QuerySet[Course]) -> QuerySet[Course]:
    """The home page's courses, each with `held`: its photos waiting for a decision."""
    held = Count(
        "roster__photos",
        filter=Q(roster__photos__status=EnrollmentPhoto.Status.NEEDS_REVIEW),
        distinct=True,
    )
    return courses.annotate(held=held).prefetch_related("roster").order_by("name", "pk")


def first_ready_photos(people_ids) -> dict[int, EnrollmentPhoto]:
    """Each person's first ready photo, for any number of people in one query."""
    photos = (
        EnrollmentPhoto.objects.filter(person__in=people_ids, status=EnrollmentPhoto.Status.READY)
        .order_by("person_id", "uploaded_at", "pk")
        .only("pk", "person_id")
    )
    first = {}
    for photo in photos:
        first.setdefault(photo.person_id, photo)
    return first


def with_look_alike_photos(people: list[Person]) -> list[Person]:
    """Sets `look_alike_photo` on each held photo of `people` (prefetched photos): the photo
    of the student it looks like, shown side by side with it (one query for the page)."""
    held = [
        photo
        for person in people
        for photo in person.photos.all()
        if photo.status == EnrollmentPhoto.Status.NEEDS_REVIEW and photo.looks_like_id
    ]
    found = first_ready_photos({photo.looks_like_id for photo in held}) if held else {}
    for photo in held:
        photo.look_alike_photo = found.get(photo.looks_like_id)
    return people


# What the roster's "Show" choice keeps (the values the page's select sends).
ROSTER_FILTERS = {
    "all": _("Everyone"),
    "needs-review": _("Photos to decide"),
    "no-consent": _("No consent yet"),
    "no-photo": _("No ready photo"),
    "rejected": _("Photos rejected"),
}


def roster_matching(course: Course, *, words: str = "", show: str = "all") -> QuerySet[Person]:
    """The course's students whose name or number contains `words`, kept by the filter `show`
    (see RosterLine.photo_state), in roster order: what the course page pages through."""
    people = course.roster.order_by("full_name", "pk")
    if words := words.strip():
        people = people.filter(Q(full_name__icontains=words) | Q(external_id__icontains=words))
    photos = EnrollmentPhoto.objects.filter(person=OuterRef("pk"))
    rejected = Exists(photos.filter(status=EnrollmentPhoto.Status.REJECTED))
    ready = Exists(photos.filter(status=EnrollmentPhoto.Status.READY))
    held = Exists(photos.filter(status=EnrollmentPhoto.Status.NEEDS_REVIEW))
    if show == "needs-review":
        people = people.filter(held)
    elif show == "no-consent":
        people = people.filter(consent_recorded_on__isnull=True)
    elif show == "no-photo":
        people = people.filter(rejected | ~ready)
    elif show == "rejected":
        people = people.filter(rejected)
    return people


@dataclass(frozen=True)
class PhotoStamp:
    """One aggregate over a course's photos: what a status poll compares with the page's copy.

    The stamp moves when a photo is added, deleted or changes state; reading it costs one
    query whatever the size of the roster."""

    stamp: str
    changed_at: datetime | None
    busy: bool


# Rows changed shortly before the stamp the page holds are sent again: a transaction that
# committed after a later one but stamped earlier is not missed.
STAMP_OVERLAP = timedelta(seconds=10)


def photo_stamp(course: Course) -> PhotoStamp:
    totals = EnrollmentPhoto.objects.filter(person__courses=course).aggregate(
        count=Count("pk"),
        changed=Max("status_changed_at"),
        uploaded=Max("uploaded_at"),
        busy=Count("pk", filter=Q(status__in=EnrollmentPhoto.BUSY_STATES)),
    )
    changed = max(filter(None, (totals["changed"], totals["uploaded"])), default=None)
    stamp = f"{totals['count']}@{changed.isoformat() if changed else ''}"
    return PhotoStamp(stamp=stamp, changed_at=changed, busy=bool(totals["busy"]))


def changed_since(stamp: str) -> datetime | None:
    """The time inside a stamp the page sent back, or None when it is missing or garbled."""
    _count, _at, when = (stamp or "").partition("@")
    try:
        parsed = parse_datetime(when) if when else None
    except ValueError:
        return None
    return parsed - STAMP_OVERLAP if parsed else None


def roster_changed_since(course: Course, since: datetime | None) -> QuerySet[Person]:
    """The students with a photo added or changed after `since` (every one with photos if None)."""
    photos = EnrollmentPhoto.objects.filter(person__courses=course)
    if since is not None:
        photos = photos.filter(Q(status_changed_at__gt=since) | Q(uploaded_at__gt=since))
    changed = photos.values("person_id")
    return roster_with_photos(course).filter(pk__in=changed)


def any_photo_busy(roster) -> bool:
    return any(
        photo.status in EnrollmentPhoto.BUSY_STATES
        for person in roster
        for photo in person.photos.all()
    )


def classifier_of(course: Course) -> CourseClassifier | None:
    return CourseClassifier.objects.filter(course=course).defer("model_data").first()


@dataclass(frozen=True)
class AttendanceRow:
    person: Person
    record: AttendanceRecord | None

    @property
    def status(self) -> str | None:
        return self.record.status if self.record else None

    @property
    def thumbnail(self) -> EnrollmentPhoto | None:
        photos = getattr(self.person, "ready_photos", None)
        return photos[0] if photos else None

    @property
    def version(self) -> str:
        """Changes whenever the row's rendering may: the page swaps only rows that moved."""
        record = self.record
        return f"{record.pk}@{record.updated_at.isoformat()}" if record else "none"


def attendance_rows(session: AttendanceSession) -> list[AttendanceRow]:
    """Every active student of the course, and anyone else who has a record in the session,
    each with their first ready photo (`thumbnail`, a list of at most one) for the page."""
    ready = EnrollmentPhoto.objects.filter(status=EnrollmentPhoto.Status.READY)
    first_ready = Prefetch(
        "photos",
        queryset=ready.order_by("uploaded_at", "pk").only("pk", "person_id"),
        to_attr="ready_photos",
    )
    people = people_of_sessions(session.course_id, [session]).prefetch_related(first_ready)
    records = {
        record.person_id: record
        for record in session.records.select_related("changed_by").order_by()
    }
    return [AttendanceRow(person, records.get(person.pk)) for person in people]


@dataclass(frozen=True)
class RosterLine:
    """A roster table row: the student, their photo counts, and their last attendance."""

    person: Person
    ready: int
    rejected: int
    busy: int
    held: int
    last_record: AttendanceRecord | None

    @property
    def photo_state(self) -> str:
        """What the filter matches: no photo ready yet, some rejected, or fine."""
        if self.rejected:
            return "rejected"
        return "ready" if self.ready else "none"


def roster_lines(course: Course, roster) -> list[RosterLine]:
    last = {}
    records = (
        AttendanceRecord.objects.filter(session__course=course, person__in=roster)
        .select_related("session")
        .order_by("-session__starts_at", "-pk")
    )
    for record in records:
        last.setdefault(record.person_id, record)
    lines = []
    for person in roster:
        statuses = [photo.status for photo in person.photos.all()]
        lines.append(
            RosterLine(
                person=person,
                ready=statuses.count(EnrollmentPhoto.Status.READY),
                rejected=statuses.count(EnrollmentPhoto.Status.REJECTED),
                busy=sum(status in EnrollmentPhoto.BUSY_STATES for status in statuses),
                held=statuses.count(EnrollmentPhoto.Status.NEEDS_REVIEW),
                last_record=last.get(person.pk),
            )
        )
    return lines


def attendance_counts(rows: list[AttendanceRow]) -> dict[str, int]:
    """The live page's counters: "18 of 25 in, 3 late, 4 not yet" (in includes late)."""
    statuses = [row.status for row in rows]
    return {
        "total": len(statuses),
        "in": sum(
            s in (AttendanceRecord.Status.PRESENT, AttendanceRecord.Status.LATE) for s in statuses
        ),
        "late": statuses.count(AttendanceRecord.Status.LATE),
        "absent": statuses.count(AttendanceRecord.Status.ABSENT),
        "excused": statuses.count(AttendanceRecord.Status.EXCUSED),
        "missing": statuses.count(None),
    }


def _one_value(queryset: QuerySet, group: str, aggregate) -> Subquery:
    """An aggregate of `queryset` as a subquery of the session row (no query of its own)."""
    rows = queryset.order_by().values(group).annotate(value=aggregate).values("value")
    return Subquery(rows[:1])


def live_stamp(session: AttendanceSession) -> str:
    """What the live page polls against: changes with any record, roster membership, pending
    review, unrecognised attempt or the session's state, read in one query whatever the
    roster's size. (Class photos have their own progress poll; their marks are records.)"""
    session_ref, course_ref = OuterRef("pk"), OuterRef("course_id")
    records = AttendanceRecord.objects.filter(session=session_ref)
    roster = Course.roster.through.objects.filter(course=course_ref, person__is_active=True)
    reviews = PendingReview.objects.filter(session=session_ref)
    attempts = UnrecognisedAttempt.objects.filter(session=session_ref)
    values = (
        AttendanceSession.objects.filter(pk=session.pk)
        .annotate(
            records_n=_one_value(records, "session", Count("pk")),
            records_at=_one_value(records, "session", Max("updated_at")),
            roster_n=_one_value(roster, "course", Count("pk")),
            roster_last=_one_value(roster, "course", Max("pk")),
            reviews_n=_one_value(reviews, "session", Count("pk")),
            reviews_last=_one_value(reviews, "session", Max("pk")),
            attempts_n=_one_value(attempts, "session", Count("pk")),
        )
        .values(
            "opened_at",
            "closed_at",
            "reopened_at",
            "records_n",
            "records_at",
            "roster_n",
            "roster_last",
            "reviews_n",
            "reviews_last",
            "attempts_n",
        )
        .first()
    )
    if values is None:
        return ""
    text = "|".join(str(value) for value in values.values())
    return hashlib.sha256(text.encode()).hexdigest()[:20]
