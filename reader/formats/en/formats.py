"""English dates as Folio printed them before the translations: day first, short month ("3 Nov",
"1 May 2025", "1 May 2025, 14:30") rather than Django's American "Nov. 3, 2025"."""

DATE_FORMAT = "j M Y"
MONTH_DAY_FORMAT = "j M"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y H:i"
