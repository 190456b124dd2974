"""Read queries scoped to what a user may see: staff see everything, teachers their courses."""

from django.db.models import Q, QuerySet

from people.models import Course, EnrollmentPhoto, Person


def courses_for(user) -> QuerySet[Course]:
    if user.is_staff:
        return Course.objects.all()
    return Course.objects.filter(teachers=user)


def people_for(user) -> QuerySet[Person]:
    """Staff: everyone. Teachers: their courses' students and the people they created."""
    if user.is_staff:
        return Person.objects.all()
    return Person.objects.filter(Q(courses__teachers=user) | Q(created_by=user)).distinct()


def photos_for(user) -> QuerySet[EnrollmentPhoto]:
    if user.is_staff:
        return EnrollmentPhoto.objects.all()
    return EnrollmentPhoto.objects.filter(person__in=people_for(user))
