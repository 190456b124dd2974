"""Peak memory of one request, measured in a fresh process (run by test_memory.py).

    python -m tests.reliability.memory_probe checkin|enroll|import|classphoto FILE [FIELD=VALUE ...]

Sets up the app on a throwaway SQLite database with tasks in-process (so an enrollment
request also runs its encoding), warms up with a small upload, resets the kernel's peak-RSS
mark, sends IMAGE_FILE and prints one JSON line: the status code and by how many bytes the
process's peak resident memory rose above its resident memory before the request, the
CPU seconds (all threads) the request took, and the start of the answer. FIELD=VALUE pairs
are sent as form fields.
"""

import json
import os
import resource
import sys
import tempfile
from pathlib import Path


def _rss(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main(target: str, image_path: str, *fields: str) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="memory-probe-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="attendance_site.settings",
        DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}",
        MEDIA_ROOT=str(workdir / "media"),
        REDIS_URL="",
        ALLOWED_HOSTS="testserver",
        CHECKIN_RATE_PER_CREDENTIAL="",
        CHECKIN_RATE_PER_ADDRESS="",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework.test import APIClient

    from tests.api.conftest import open_session_of
    from tests.factories import CourseFactory, PersonFactory, UserFactory
    from tests.reliability.odd_files import jpeg

    teacher = UserFactory(username="teacher")
    course = CourseFactory(teachers=[teacher])
    person = PersonFactory(created_by=teacher)
    course.roster.add(person)
    session = open_session_of(course)
    client = APIClient()
    client.force_authenticate(teacher)
    url = {
        "checkin": f"/api/sessions/{session.pk}/checkin/",
        "enroll": f"/api/people/{person.pk}/photos/",
        "import": f"/api/courses/{course.pk}/photo-import/",
        "classphoto": f"/api/sessions/{session.pk}/class-photos/",
    }[target]
    upload_field = "file" if target == "import" else "image"

    form = dict(field.split("=", 1) for field in fields)

    def send(name: str, data: bytes):
        upload = SimpleUploadedFile(name, data, content_type="image/png")
        return client.post(url, {upload_field: upload, **form})

    send("warm-up.jpg", jpeg())  # imports, dlib models, first queries (refused as a ZIP)
    data = Path(image_path).read_bytes()
    before = _rss("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM) to now
    cpu = _cpu_seconds()
    response = send(Path(image_path).name, data)
    cpu = _cpu_seconds() - cpu
    peak = _rss("VmHWM")
    photo_status = None
    if target == "enroll":
        from people.models import EnrollmentPhoto

        photo = EnrollmentPhoto.objects.order_by("-pk").first()
        photo_status = photo and photo.status
    if target == "classphoto":
        from attendance.models import ClassPhoto

        photo = ClassPhoto.objects.order_by("-pk").first()
        photo_status = photo and f"{photo.status}: {len(photo.faces)} faces"
    result = {
        "status": response.status_code,
        "rise": peak - before,
        "cpu": cpu,
        "photo": photo_status,
        "answer": response.content[:500].decode(errors="replace"),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main(*sys.argv[1:])
