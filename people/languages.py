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

logger = logging.getLogger(__name__)


def is_shipped(code: str) -> bool:
    return code in dict(settings.LANGUAGES)


def profile_language(profile) -> str:
    """A teacher's chosen language (their TeacherProfile's), or "" for the browser's."""
    code = profile.language if profile else ""
    if code and not is_shipped(code):
        logger.warning("The stored language %r of user %s is not shipped.", code, profile.user_id)
        return ""
    return code


def set_teacher_language(*, user, code: str) -> str:
    """An empty code goes back to the browser's language."""
    code = TeacherProfile._meta.get_field("language").clean(code, None)  # the field's choices
    TeacherProfile.objects.update_or_create(user=user, defaults={"language": code})
    return code


def course_language(course) -> str:
    if is_shipped(course.language):
        return course.language
    logger.warning(
        "The stored language %r of course %s is not shipped.", course.language, course.pk
    )
    return settings.LANGUAGE_CODE


def set_course_language(*, course, code: str) -> str:
    course.language = type(course)._meta.get_field("language").clean(code, course)
    course.save(update_fields=["language"])
    return course.language


def kiosk_language(course, requested: str = "") -> str:
    """A kiosk's language: the one its switch asked for, if shipped, else its course's."""
    return requested if is_shipped(requested) else course_language(course)
