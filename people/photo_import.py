"""Photos from a ZIP archive: files (`S001.jpg`, `Ada Lovelace_2.jpg`) or folders
(`S001/a.jpg`, `Ada Lovelace/a.jpg`) named by student number or full name (people.photo_matching).

`check_archive` runs in the request and refuses the whole archive, listing every problem,
before anything is stored: not a ZIP, too many or too large files, a compression ratio of a
zip bomb, names that climb out of a folder, files that are not images, names and numbers of
nobody on the course's roster (with the closest names), names two students share, students
without consent. A good archive is kept and a background task (`run_photo_import`) adds
every photo through `services.add_photo`, in one transaction; the photos are then encoded
like uploads, and the job's progress is the share of its photos that are ready or rejected.
"""

import zipfile
from dataclasses import dataclass, field
from functools import partial
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from PIL import Image, UnidentifiedImageError

from jobs import durable
from people.archive_limits import declared_size, without_trailer
from people.models import IMAGE_SUFFIXES, Course, EnrollmentPhoto, Person, PhotoImportJob
from people.photo_matching import NoStudent, RosterMatcher
from people.services import UploadRefused, add_photo, ensure_consent
from recognition import faces

MAX_RATIO = 50  # compressed photos barely shrink; a much higher ratio is a zip bomb
MISSING_ARCHIVE = gettext_noop("The uploaded archive is missing from storage. Upload it again.")
MAX_TOTAL_RATIO = 5  # the whole archive unpacked, against its size
MAX_DIRECTORY_BYTES = 1024  # central-directory bytes per allowed entry (name, extra fields)


class ArchiveRefused(ValueError):
    """The archive is not imported at all; `problems` lists each file's problem."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or []


@dataclass
class PlannedPhoto:
    name: str  # the name inside the archive
    person: Person


@dataclass
class ArchivePlan:
    archive: zipfile.ZipFile
    photos: list[PlannedPhoto] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def is_junk(name: str) -> bool:
    path = PurePosixPath(name)
    return name.startswith("__MACOSX/") or path.name.startswith(".") or name.endswith("/")


def is_unsafe(name: str) -> bool:
    path = PurePosixPath(name.replace("\\", "/"))
    return path.is_absolute() or ".." in path.parts or ":" in name


def open_archive(upload) -> zipfile.ZipFile:
    if upload is None:
        raise ArchiveRefused(_("Attach a ZIP file in the field 'file'."))
    if upload.size > settings.PHOTO_IMPORT_MAX_BYTES:
        limit = settings.PHOTO_IMPORT_MAX_BYTES // (1024 * 1024)
        raise ArchiveRefused(
            _("The archive is too large: at most %(limit)s MB.") % {"limit": limit}
        )
    upload.seek(0)
    if not zipfile.is_zipfile(upload):
        raise ArchiveRefused(_("The file is not a ZIP archive."))
    check_declared_size(upload)
    upload.seek(0)
    try:
        return zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError) as error:
        raise ArchiveRefused(
            _("The ZIP archive cannot be read: %(error)s.") % {"error": error}
        ) from None


def max_entries() -> int:
    """Entries an archive may hold, junk included: each photo with a __MACOSX twin and a
    folder per student (also twinned) is 4 entries a photo."""
    return 4 * settings.PHOTO_IMPORT_MAX_FILES


def check_declared_size(upload) -> None:
    """From the end record, before the central directory is read (archive_limits)."""
    declared = declared_size(upload)
    if declared is None:
        raise ArchiveRefused(_("The ZIP archive cannot be read: its end record is missing."))
    limit = max_entries()
    if declared.entries > limit or declared.directory_bytes > limit * MAX_DIRECTORY_BYTES:
        raise ArchiveRefused(
            _(
                "The archive holds too many entries (%(entries)s, folders and hidden "
                "files included); at most %(limit)s."
            )
            % {"entries": declared.entries, "limit": limit}
        )


def check_total_size(entries: list[zipfile.ZipInfo], archive_bytes: int) -> None:
    """Photos barely compress: more than MAX_TOTAL_RATIO times the archive (or the total
    limit) once unpacked is padding or a bomb, however each file compares."""
    total = sum(info.file_size for info in entries)
    limit = min(settings.PHOTO_IMPORT_MAX_UNPACKED_BYTES, MAX_TOTAL_RATIO * archive_bytes)
    if total > limit:
        raise ArchiveRefused(
            _(
                "The files of this archive unpack to %(unpacked)s MB; at most "
                "%(limit)s MB (and %(ratio)s times the archive's size)."
            )
            % {
                "unpacked": total // 2**20,
                "limit": limit // 2**20,
                "ratio": MAX_TOTAL_RATIO,
            }
        )


def check_archive(*, course: Course, upload) -> ArchivePlan:
    """Every rule, for every file; raises ArchiveRefused listing all problems at once."""
    archive = open_archive(upload)
    entries = [info for info in archive.infolist() if not is_junk(info.filename)]
    if not entries:
        raise ArchiveRefused(_("The archive holds no photos."))
    if len(entries) > settings.PHOTO_IMPORT_MAX_FILES:
        raise ArchiveRefused(
            _("The archive holds %(count)s files; at most %(limit)s.")
            % {"count": len(entries), "limit": settings.PHOTO_IMPORT_MAX_FILES}
        )
    roster = RosterMatcher.for_people(course.roster.all())
    plan, problems = ArchivePlan(archive), []
    for info in entries:
        problem, person = check_entry(archive, info, roster)
        if problem:
            problems.append(f"{info.filename}: {problem}")
        else:
            plan.photos.append(PlannedPhoto(info.filename, person))
    plan.skipped = [info.filename for info in archive.infolist() if is_junk(info.filename)]
    if problems:
        raise ArchiveRefused(
            _("Nothing was imported: %(count)s of %(total)s files have a problem.")
            % {"count": len(problems), "total": len(entries)},
            problems,
        )
    check_total_size(entries, upload.size)
    return plan


def check_entry(
    archive, info: zipfile.ZipInfo, roster: RosterMatcher
) -> tuple[str | None, Person | None]:
    name = info.filename
    if is_unsafe(name):
        return "the name points outside the archive's folder.", None
    if PurePosixPath(name).suffix.lower() not in IMAGE_SUFFIXES:
        return "not an image (JPEG, PNG, WebP…).", None
    if info.file_size > settings.MAX_UPLOAD_BYTES:
        limit = settings.MAX_UPLOAD_BYTES // (1024 * 1024)
        return f"too large: a photo may be at most {limit} MB.", None
    if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
        return "compressed suspiciously well (a zip bomb?).", None
    try:
        person = roster.match(name)
    except NoStudent as unmatched:
        return str(unmatched), None
    try:
        ensure_consent(person)
    except UploadRefused as refused:
        return str(refused), None
    try:
        with archive.open(info) as handle:
            faces.check_image_header(handle)  # format, pixels and shape, as for an upload
            with Image.open(handle) as image:
                image.verify()
    except faces.ImageRejected as rejection:
        unreadable = rejection.code == "unreadable"
        return "not a readable image." if unreadable else rejection.message, None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, zipfile.BadZipFile):
        return "not a readable image.", None
    except Image.DecompressionBombError:
        return "not a readable image (too many pixels).", None
    return None, person


def read_photo(archive: zipfile.ZipFile, name: str) -> bytes:
    """An entry's photo as it is stored: anything padded after the image is cut."""
    return without_trailer(archive.read(name))


@transaction.atomic
def start_photo_import(*, course: Course, upload, started_by) -> PhotoImportJob:
    """Check the archive now (ArchiveRefused), keep it, and queue the job once committed."""
    plan = check_archive(course=course, upload=upload)
    upload.seek(0)
    job = PhotoImportJob(course=course, created_by=started_by, total=len(plan.photos))
    job.archive.save("photos.zip", upload, save=False)
    job.save()
    durable.enqueue(job)  # with the broker down the job stays queued for the sweep
    return job


def run_photo_import(*, job_id: int) -> str | None:
    """Add every photo of the archive, all or none; the job says which files became which photo.

    The job is claimed first (jobs.durable), and its outcome is stored in the transaction
    that adds the photos, only while the claim is still this delivery's: a duplicate delivery
    adds nothing."""
    job = durable.claim(PhotoImportJob, job_id)
    if job is None:
        return None
    try:
        with transaction.atomic():
            with job.archive.open("rb"):
                plan = check_archive(course=job.course, upload=job.archive)
                results = [_add(plan.archive, planned) for planned in plan.photos]
            if not _end(job, PhotoImportJob.State.DONE, results=results, total=len(results)):
                raise _Superseded
    except _Superseded:
        return None
    except FileNotFoundError:
        _end(job, PhotoImportJob.State.FAILED, error=MISSING_ARCHIVE)
    except (ArchiveRefused, UploadRefused) as refused:
        problems = getattr(refused, "problems", [])
        _end(job, PhotoImportJob.State.FAILED, error="; ".join([str(refused), *problems])[:500])
    return job.state


class _Superseded(Exception):
    """Another delivery claimed the job meanwhile: this one's photos are rolled back."""


def _end(job: PhotoImportJob, state: str, *, mine: bool = True, **fields) -> bool:
    """Store the outcome and delete the archive once that is committed."""
    name, storage = job.archive.name, job.archive.storage
    fields.update(finished_at=timezone.now(), archive="")
    stored = durable.finish(job, state, mine=mine, **fields)
    if stored and name:
        transaction.on_commit(partial(storage.delete, name))
    return stored


def give_up(job: PhotoImportJob) -> bool:
    """Out of attempts: the job fails with its reason and its archive is deleted."""
    return _end(job, PhotoImportJob.State.FAILED, mine=False, error=job.job_gave_up_reason)


def _add(archive: zipfile.ZipFile, planned: PlannedPhoto) -> dict:
    data = read_photo(archive, planned.name)
    upload = ContentFile(data, name=PurePosixPath(planned.name).name)
    photo = add_photo(person=planned.person, upload=upload)
    return {
        "file": planned.name,
        "person": planned.person.pk,
        "full_name": planned.person.full_name,
        "external_id": planned.person.external_id,
        "photo": photo.pk,
    }


def job_progress(job: PhotoImportJob) -> dict:
    """The job, each file's photo status (ready, held for review or rejected with its reason,
    pending), and counts."""
    photo_ids = [result["photo"] for result in job.results]
    photos = {
        photo.pk: photo
        for photo in EnrollmentPhoto.objects.filter(pk__in=photo_ids).only(
            "pk", "status", "rejection_reason", "review_reason"
        )
    }
    files, counts = (
        [],
        {"ready": 0, "rejected": 0, "busy": 0, EnrollmentPhoto.Status.NEEDS_REVIEW: 0},
    )
    for result in job.results:
        photo = photos.get(result["photo"])
        status = photo.status if photo else "deleted"
        key = "busy" if status in EnrollmentPhoto.BUSY_STATES else status
        counts[key] = counts.get(key, 0) + 1
        reason = (photo.rejection_reason or photo.review_reason) if photo else ""
        files.append(
            {
                **result,
                "status": status,
                "status_display": photo.get_status_display() if photo else _("Deleted"),
                "rejection_reason": _(reason) if reason else "",
            }
        )
    finished = job.state == PhotoImportJob.State.FAILED or (
        job.state == PhotoImportJob.State.DONE and counts["busy"] == 0
    )
    done = job.total - counts["busy"] if job.state == PhotoImportJob.State.DONE else 0
    return {
        "id": job.pk,
        "course": job.course_id,
        "state": job.state,
        "state_display": job.get_state_display(),
        "error": _(job.error) if job.error else "",
        "total": job.total,
        "done": max(done, 0),
        "ready": counts["ready"],
        "rejected": counts["rejected"],
        "held": counts[EnrollmentPhoto.Status.NEEDS_REVIEW],
        "finished": finished,
        "files": files,
    }
