# The same order as English; Django translates the day and month names.
from attendance_site.formats.en.formats import *  # noqa: F403
