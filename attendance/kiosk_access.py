"""What a kiosk token opens: a session's check-in kiosk or a course's enrollment kiosk.

A check-in link works while its session is scheduled or open, and for
KIOSK_CLOSED_GRACE_MINUTES after it closes (the kiosk then says "closed"); after that it is
like an unknown token: no page with the course's name, no check-in. An enrollment link works
until it expires (ENROLLMENT_KIOSK_HOURS after the teacher opened it) or is closed.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from attendance.models import AttendanceSession, EnrollmentKiosk
from people.time_zones import teacher_time_zone
from people.validation import is_time_zone


def live_kiosk_sessions():
    cutoff = timezone.now() - timedelta(minutes=settings.KIOSK_CLOSED_GRACE_MINUTES)
    return AttendanceSession.objects.filter(Q(closed_at__isnull=True) | Q(closed_at__gt=cutoff))


def kiosk_session(token: str) -> AttendanceSession | None:
    return live_kiosk_sessions().select_related("course").filter(kiosk_token=token).first()


def live_enrollment_kiosks():
    return EnrollmentKiosk.objects.filter(expires_at__gt=timezone.now())


def enrollment_kiosk(token: str) -> EnrollmentKiosk | None:
    return live_enrollment_kiosks().select_related("course").filter(token=token).first()


def kiosk_time_zone(session: AttendanceSession) -> str:
    """The zone a kiosk shows times in, whoever (if anyone) is logged in on its device: the
    zone of the schedule that made the session, else the course's first teacher's own zone,
    else the school's."""
    if session.schedule_id and is_time_zone(session.schedule.time_zone):
        return session.schedule.time_zone
    teacher = session.course.teachers.order_by("pk").first()
    return teacher_time_zone(teacher)
