"""Who may see and change whom (issue 10, points 6 and 7).

- "Sees everything" belongs to superusers and to users given the explicit permission
  `people.see_everyone`; `is_staff` alone (admin-site access) grants nothing more than the
  admin's own model permissions.
- A teacher reaches a person through the courses they teach now. `created_by` counts only
  while the person is on no course at all (just created, not yet enrolled): once the student
  moves to another teacher's course, their creator no longer sees them.
- A person on a course of another teacher is shared: changing them needs "sees everything";
  deleting them takes them off the caller's courses only.
"""

from django.db.models import Q


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
