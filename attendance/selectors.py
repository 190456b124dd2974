from django.db.models import Q, QuerySet

from attendance.models import AttendanceSession
from people.models import Person
from people.selectors import courses_for


def sessions_for(user) -> QuerySet[AttendanceSession]:
    return AttendanceSession.objects.filter(course__in=courses_for(user))


def people_of_sessions(course_id: int, sessions) -> QuerySet[Person]:
    """Who a session's page, report or CSV lists: the course's active students, and anyone
    else with a record in these sessions (e.g. removed from the roster since)."""
    return (
        Person.objects.filter(
            Q(courses=course_id, is_active=True) | Q(attendance_records__session__in=sessions)
        )
        .distinct()
        .order_by("full_name", "pk")
    )
