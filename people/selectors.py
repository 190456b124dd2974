"""Read queries scoped to what a user may see: see people.access."""

from django.db.models import QuerySet

from people.access import reach, sees_everything
from people.models import Course, EnrollmentPhoto, Person


def courses_for(user) -> QuerySet[Course]:
    if sees_everything(user):
        return Course.objects.all()
    return Course.objects.filter(teachers=user)


def people_for(user) -> QuerySet[Person]:
    """Everyone (see people.access), or the teacher's courses' students and the people they
    created that are on no course yet."""
    if sees_everything(user):
        return Person.objects.all()
    return Person.objects.filter(reach(user)).distinct()


def photos_for(user) -> QuerySet[EnrollmentPhoto]:
    if sees_everything(user):
        return EnrollmentPhoto.objects.all()
    return EnrollmentPhoto.objects.filter(person__in=people_for(user))
