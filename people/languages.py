"""Which language people read: a teacher's pages in their account's language, else the
browser's (Accept-Language, chosen by LocaleMiddleware); a kiosk in its course's language,
whoever is logged in on that device.

The model fields refuse languages that are not shipped (choices). A stored code that is not
shipped all the same (a language removed from LANGUAGES) is never used: the teacher's falls
back to the browser's, a course's to LANGUAGE_CODE, each with a logged warning.
"""

import logging

from django.conf import settings

from people.models import TeacherProfile
from people.selectors import teacher_profile

logger = logging.getLogger(__name__)


def is_shipped(code: str) -> bool:
    return code in dict(settings.LANGUAGES)


def teacher_language(user) -> str:
    """`user`'s chosen language, or "" for the browser's."""
    if user is None or not user.is_authenticated:
        return ""
    profile = teacher_profile(user)
    code = profile.language if profile else ""
    if code and not is_shipped(code):
        logger.warning("The stored language %r of user %s is not shipped.", code, user.pk)
        return ""
    return code or ""


def set_teacher_language(*, user, code: str) -> str:
    """An empty code goes back to the browser's language."""
    profile, _ = TeacherProfile.objects.get_or_create(user=user)
    profile.language = code
    profile.full_clean(validate_unique=False)
    profile.save(update_fields=["language"])
    return code


def course_language(course) -> str:
    if is_shipped(course.language):
        return course.language
    logger.warning(
        "The stored language %r of course %s is not shipped.", course.language, course.pk
    )
    return settings.LANGUAGE_CODE


def set_course_language(*, course, code: str) -> str:
    course.language = code
    course.full_clean(validate_unique=False)
    course.save(update_fields=["language"])
    return code


def kiosk_language(course, requested: str = "") -> str:
    """A kiosk's language: the one its switch asked for, if shipped, else its course's."""
    return requested if is_shipped(requested) else course_language(course)
