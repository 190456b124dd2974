# The English order with the Arabic comma; Django translates the day and month names.
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "D j M Y، H:i"
SHORT_DATETIME_FORMAT = "D j M، H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j M"
