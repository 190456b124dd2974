"""Who may see and change whom.

- "Sees everything" belongs to superusers and to users given the explicit permission
  `people.see_everyone`; `is_staff` alone (admin-site access) grants nothing more than the
  admin's own model permissions.
- A teacher reaches a person through the courses they teach now. `created_by` counts only
  while the person is on no course at all (just created, not yet enrolled): once the student
  moves to another teacher's course, their creator no longer sees them.
- A teacher of a course may add another teacher to it (a co-teacher); nobody else may,
  except someone who sees everything.
- A person on a course of another teacher is shared: changing them needs "sees everything";
  deleting them takes them off the caller's courses only. The services that change or
  remove a person (people.services, people.consent) apply this rule for every entry point.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _


class SharedWithOthers(PermissionDenied):
    """The person is also another teacher's student: only someone who sees everyone may
    change them. A PermissionDenied, so pages and the API answer 403."""


def sees_everything(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_perm("people.see_everyone"))
    )


def reach(user) -> Q:
    """People a (non-omniscient) teacher may see."""
    return Q(courses__teachers=user) | Q(created_by=user, courses__isnull=True)


def shared_with_others(person, user) -> bool:
    """The person is on a course this user does not teach."""
    return person.courses.exclude(teachers=user).exists()


def may_change(*, person, user) -> bool:
    """`user` None is an administrator's tool (the admin site, a management command), whose
    own permissions already decide."""
    return user is None or sees_everything(user) or not shared_with_others(person, user)


def check_may_change(*, person, user) -> None:
    if not may_change(person=person, user=user):
        raise SharedWithOthers(
            _("This student is also on another teacher's course: ask an administrator.")
        )


class NotTeachingCourse(PermissionDenied):
    """Only a teacher of the course (or someone who sees everything) may add its teachers."""


def check_may_add_teachers(*, course, user) -> None:
    if not (sees_everything(user) or course.teachers.filter(pk=user.pk).exists()):
        raise NotTeachingCourse("Only a teacher of this course may add a co-teacher.")
