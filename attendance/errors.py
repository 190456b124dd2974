"""What attendance services refuse, as exceptions whose message is for people.

The API answers each with the status of `attendance_site.api_errors.ERRORS`; the dashboard
shows the same message on the page.
"""


class SessionStateError(Exception):
    """The session (or a class photo of it) is not in a state that allows this."""


class NotOnRoster(ValueError):
    """The person is not a student of the session's course."""


class ReviewRefused(ValueError):
    """The decision cannot be carried out as asked."""


class AlreadyDecided(Exception):
    """The review was confirmed or rejected meanwhile (e.g. a double-click)."""


class NoSuchFace(ValueError):
    """The class photo has no face of that number."""


class StudentNotAvailable(ValueError):
    """The student cannot be enrolled here (not on the course, or no consent on record)."""
