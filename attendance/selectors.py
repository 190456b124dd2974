from django.db.models import QuerySet

from attendance.models import AttendanceSession
from people.selectors import courses_for


def sessions_for(user) -> QuerySet[AttendanceSession]:
    return AttendanceSession.objects.filter(course__in=courses_for(user))
