"""Bulk import from the common folder layout: <folder>/<person>/*.jpg."""

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.core.files import File
from django.db import transaction

from people.models import IMAGE_SUFFIXES, Course, Person
from people.services import add_photo, record_consent


@dataclass
class ImportReport:
    people_created: int = 0
    people_found: int = 0
    photos_queued: int = 0
    skipped: list[str] = field(default_factory=list)


def display_name(folder_name: str) -> str:
    return " ".join(part.capitalize() for part in folder_name.replace("-", "_").split("_") if part)


@transaction.atomic
def import_folder(
    *,
    root: Path,
    consent_recorded_on: date,
    course: Course | None = None,
    record_consent_for_existing: bool = False,
) -> ImportReport:
    """Each sub-folder is a person (its name is the student number); its images are photos.

    People that exist already (same student number) get the new photos; photos are queued
    for encoding like uploads. The consent date is recorded for people created now
    (whoever imports states that consent was collected), and for existing people without
    one only with `record_consent_for_existing` (their consent may have been withdrawn):
    otherwise their folder is skipped.
    """
    report = ImportReport()
    for folder in sorted(path for path in root.iterdir() if path.is_dir()):
        person, created = Person.objects.get_or_create(
            external_id=folder.name, defaults={"full_name": display_name(folder.name)}
        )
        if not (created or person.consent_recorded_on or record_consent_for_existing):
            # An existing person without consent (perhaps withdrawn): only on explicit request.
            report.people_found += 1
            report.skipped.append(f"{folder} (no consent recorded for this existing person)")
            continue
        if not person.consent_recorded_on:
            record_consent(person=person, consent_recorded_on=consent_recorded_on)
        report.people_created += created
        report.people_found += not created
        if course is not None:
            course.roster.add(person)
        for image_path in sorted(folder.iterdir()):
            if image_path.suffix.lower() not in IMAGE_SUFFIXES:
                report.skipped.append(str(image_path))
                continue
            with image_path.open("rb") as handle:
                add_photo(person=person, upload=File(handle, name=image_path.name))
            report.photos_queued += 1
    return report
