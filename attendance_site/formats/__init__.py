"""Date and time formats of the shipped languages (FORMAT_MODULE_PATH).

Pages name a format (`DATE_FORMAT`, `SHORT_DATETIME_FORMAT`, …) instead of spelling one, so
the order of day and month, the ordinal dot and the translated day and month names follow the
page's language. Django's own locale formats are long ("4 de diciembre de 2026 a las 9:10")
and Arabic has no short date-time at all, so each shipped language sets the compact forms a
timetable needs; times stay on a 24-hour clock in every language, as schools write them.
"""
