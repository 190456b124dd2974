# Day before month, abbreviated names (translated by Django), 24-hour clock.
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "D j M Y, H:i"
SHORT_DATETIME_FORMAT = "D j M, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j M"
