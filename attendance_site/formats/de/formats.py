# German writes the day with an ordinal dot and a comma after the weekday: "Fr., 4. Dez. 2026".
DATE_FORMAT = "j. M Y"
DATETIME_FORMAT = "D, j. M Y, H:i"
SHORT_DATETIME_FORMAT = "D, j. M, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j. M"
