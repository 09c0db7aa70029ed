"""Reading events and the reading statistics built from them (issue 17 item 5).

A **reading event** (``ReadingEvent``) is how far one article was read on one day. The one progress door,
``library.article_update``, calls ``reading_event_record`` whenever an article's reading position advances;
the advance (new percentage less the old one, less what was already read that day) is added to that
article's row for that day. Deduplicated and bounded: one row per (article, day) whatever the number of
progress saves, its percentage capped at 100 and its words at the article's word count; a position moving
back records nothing, and scrolling down again over what was read that day counts once.

Words read are the article's ``word_count`` times the share of it the advances covered; minutes read are
those words at WORDS_PER_MINUTE (238, Brysbaert 2019, the figure the reading-time estimate uses).

``reading_stats`` reads everything the statistics page shows, for one person only.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db.models import Count, F, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from ..models import WORDS_PER_MINUTE, Article, ReadingEvent

#: Weeks the statistics page and its CSV cover (the current week and the ones before it).
STATS_WEEKS = 12
#: Sites and tags listed as read most.
TOP_COUNT = 10
#: Longest streak counted, in days (bounds the days read; a streak this long shows as "365+").
STREAK_MAX_DAYS = 365


def reading_event_record(*, article: Article, start: float, end: float, when: dt.datetime) -> ReadingEvent:
    """Add the advance from ``start`` to ``end`` percent (0-100, end > start) of ``article`` to its
    reading event of the local day of ``when``, counting only what lies past the furthest point reached
    that day (``high``: going back and reading a passage again the same day adds nothing); the day's
    percentage is capped at 100 and its words at the article's word count. Called by library.article_update inside its transaction (the article row
    is locked, so two saves of one article cannot race). Returns the event."""
    day = timezone.localdate(when)
    end = min(100.0, end)
    event, _created = ReadingEvent.objects.get_or_create(
        article=article, day=day, defaults={"user_id": article.user_id}
    )
    advance = max(0.0, end - max(0.0, start, event.high))
    if advance <= 0:
        return event  # read again what was already read today
    event.percent = min(100.0, event.percent + advance)
    event.high = max(event.high, end)
    event.words = min(article.word_count, round(article.word_count * event.percent / 100))
    event.updated_at = when
    event.save(update_fields=["percent", "high", "words", "updated_at"])
    return event


@dataclass
class Week:
    """One week of the statistics: ``start`` is its Monday (local time); minutes are rounded up."""

    start: dt.date
    saved: int = 0
    finished: int = 0
    words: int = 0

    @property
    def minutes(self) -> int:
        return math.ceil(self.words / WORDS_PER_MINUTE) if self.words else 0


@dataclass
class ReadingStats:
    """What ``/stats/`` shows: ``weeks`` oldest first, totals over them, the streak and the top lists
    (``sites``: [(site, words)], ``tags``: [(tag name, articles read)])."""

    weeks: list[Week]
    streak: int = 0
    read_today: bool = False
    sites: list[tuple[str, int]] = field(default_factory=list)
    tags: list[tuple[str, int]] = field(default_factory=list)

    @property
    def words(self) -> int:
        return sum(w.words for w in self.weeks)

    @property
    def minutes(self) -> int:
        return math.ceil(self.words / WORDS_PER_MINUTE) if self.words else 0

    @property
    def saved(self) -> int:
        return sum(w.saved for w in self.weeks)

    @property
    def finished(self) -> int:
        return sum(w.finished for w in self.weeks)


def _week_of(value: dt.date | dt.datetime) -> dt.date:
    day = timezone.localtime(value).date() if isinstance(value, dt.datetime) else value
    return day - dt.timedelta(days=day.weekday())


def _streak(user: User, today: dt.date) -> tuple[int, bool]:
    """(days in a row with reading ending today, or yesterday when nothing was read yet today; whether
    today has reading). At most STREAK_MAX_DAYS days are read."""
    days = list(
        ReadingEvent.objects.filter(user=user, day__lte=today, words__gt=0)
        .values_list("day", flat=True)
        .distinct()
        .order_by("-day")[:STREAK_MAX_DAYS]
    )
    if not days:
        return 0, False
    read_today = days[0] == today
    expected = today if read_today else today - dt.timedelta(days=1)
    streak = 0
    for day in days:
        if day != expected:
            break
        streak += 1
        expected -= dt.timedelta(days=1)
    return streak, read_today


def reading_stats(*, user: User, weeks: int = STATS_WEEKS, today: dt.date | None = None) -> ReadingStats:
    """The user's reading statistics over the last ``weeks`` weeks (Monday to Sunday, local time; the
    current week included) up to ``today`` (default: the local date now):

    - per week: articles saved (``saved_at``), finished (``read_at``), words read (reading events);
      minutes are words / WORDS_PER_MINUTE;
    - the current streak: days in a row with reading (a day with words read), ending today, or
      yesterday while today has none yet (so the streak does not drop to 0 in the morning);
    - the sites (by words read) and tags (by articles with reading) read most in those weeks, TOP_COUNT
      each, deleted articles left out.

    A fixed number of aggregate queries whatever the size of the library; nothing of another person.
    """
    today = today or timezone.localdate()
    first = _week_of(today) - dt.timedelta(weeks=weeks - 1)
    since = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    table = {first + dt.timedelta(weeks=i): Week(first + dt.timedelta(weeks=i)) for i in range(weeks)}
    articles = Article.objects.filter(user=user, deleted_at__isnull=True)
    for column, attr in (("saved_at", "saved"), ("read_at", "finished")):
        rows = (
            articles.filter(**{f"{column}__gte": since})
            .annotate(week=TruncWeek(column))
            .values("week")
            .annotate(n=Count("id"))
        )
        for row in rows:
            week = table.get(_week_of(row["week"]))
            if week is not None:
                setattr(week, attr, getattr(week, attr) + row["n"])
    events = ReadingEvent.objects.filter(user=user, day__gte=first, day__lte=today)
    for day, words in events.values_list("day").annotate(w=Sum("words")).values_list("day", "w"):
        week = table.get(_week_of(day))
        if week is not None:
            week.words += words or 0
    live = events.filter(article__deleted_at__isnull=True)
    sites = (
        live.values(site=F("article__site_name"))
        .exclude(site="")  # type: ignore[misc]  # an annotation alias, unknown to django-stubs
        .annotate(w=Sum("words"))
        .order_by("-w", "site")[:TOP_COUNT]
    )
    tags = (
        live.filter(article__tags__isnull=False)
        .values(tag=F("article__tags__name"))
        .annotate(n=Count("article", distinct=True))
        .order_by("-n", "tag")[:TOP_COUNT]
    )
    streak, read_today = _streak(user, today)
    return ReadingStats(
        weeks=[table[k] for k in sorted(table)],
        streak=streak,
        read_today=read_today,
        sites=[(row["site"], row["w"] or 0) for row in sites],
        tags=[(row["tag"], row["n"]) for row in tags],
    )


def reading_stats_csv_rows(stats: ReadingStats) -> list[list[object]]:
    """The weekly table as CSV rows, header first:
    ``week_start,articles_saved,articles_finished,words_read,minutes_read``."""
    rows: list[list[object]] = [
        ["week_start", "articles_saved", "articles_finished", "words_read", "minutes_read"]
    ]
    rows += [[w.start.isoformat(), w.saved, w.finished, w.words, w.minutes] for w in stats.weeks]
    return rows
