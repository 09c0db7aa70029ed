"""Issue 17 item 5: reading events recorded by the one progress door, and the statistics built from a
seeded history of them (weekly counts, words, minutes, streak, top sites and tags), the page and its CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.models import WORDS_PER_MINUTE, ReadingEvent
from articles.services import reading
from tests.factories import ArticleFactory, ReaderSettingsFactory

pytestmark = pytest.mark.django_db


def _at(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _read(user, article, percents, day):
    """Save reading positions of ``article`` at noon of ``day``, through the one progress door."""
    for i, percent in enumerate(percents):
        services.article_update(
            user=user, pk=article.pk, progress_percent=percent, changed_at=_at(day) + dt.timedelta(minutes=i)
        )


def test_progress_records_one_bounded_event_per_article_and_day(user):
    article = ArticleFactory(user=user, ready=True, word_count=1000)
    day = timezone.localdate() - dt.timedelta(days=1)
    _read(user, article, [10, 30, 20, 30, 50], day)  # back to 20 and down again: 20-30 counts once
    event = ReadingEvent.objects.get(article=article)
    assert (event.day, event.percent, event.high, event.words) == (day, 50.0, 50.0, 500)
    services.article_update(user=user, pk=article.pk, progress_percent=5)  # today: moving back, nothing
    assert ReadingEvent.objects.filter(article=article).count() == 1
    services.article_update(user=user, pk=article.pk, progress_percent=100)  # today: 5-100
    today = ReadingEvent.objects.get(article=article, day=timezone.localdate())
    assert (today.percent, today.words) == (95.0, 950)
    article.refresh_from_db()
    assert article.read_at is not None  # finishing still marks it read


def test_progress_endpoint_of_the_reader_records_the_event(client_logged_in, user, other_user):
    article = ArticleFactory(user=user, ready=True, word_count=400)
    url = reverse("articles:progress", args=[article.pk])
    for percent in ("25", "50", "50"):
        assert client_logged_in.post(url, {"percent": percent, "paragraph": "3"}).status_code == 200
    event = ReadingEvent.objects.get()
    assert (event.user_id, event.percent, event.words) == (user.pk, 50.0, 200)
    theirs = ArticleFactory(user=other_user, ready=True, word_count=400)
    response = client_logged_in.post(reverse("articles:progress", args=[theirs.pk]), {"percent": "50"})
    assert response.status_code == 404
    assert ReadingEvent.objects.count() == 1


@pytest.fixture
def history(user, other_user):
    """Twelve weeks of a person's reading: articles saved and finished on known days, reading on known
    days (a streak of three days ending today, a gap before), and another person's reading."""
    today = timezone.localdate()
    days = {
        name: today - dt.timedelta(days=n)
        for name, n in (("today", 0), ("d1", 1), ("d2", 2), ("d10", 10), ("d30", 30))
    }
    long_read = ArticleFactory(
        user=user,
        ready=True,
        word_count=2000,
        site_name="Long Reads",
        saved_at=_at(days["d30"]),
        tags=["essays", "science"],
    )
    short = ArticleFactory(
        user=user,
        ready=True,
        word_count=600,
        site_name="Quick News",
        saved_at=_at(days["d10"]),
        tags=["science"],
    )
    unread = ArticleFactory(user=user, ready=True, word_count=900, saved_at=_at(days["d2"]))
    old = ArticleFactory(user=user, ready=True, word_count=100, saved_at=_at(today - dt.timedelta(days=200)))
    _read(user, long_read, [25, 50], days["d10"])  # 1000 words
    _read(user, long_read, [75], days["d2"])  # 500 words
    _read(user, long_read, [100], days["d1"])  # 500 words, finished
    _read(user, short, [50, 100], days["today"])  # 600 words, finished
    theirs = ArticleFactory(user=other_user, ready=True, word_count=5000, saved_at=_at(today))
    _read(other_user, theirs, [100], days["today"])
    return {"days": days, "long": long_read, "short": short, "unread": unread, "old": old}


def test_statistics_from_a_seeded_history(user, history):
    days = history["days"]
    stats = reading.reading_stats(user=user)
    assert len(stats.weeks) == reading.STATS_WEEKS
    assert stats.weeks[-1].start == _monday(days["today"])
    assert stats.weeks[0].start == _monday(days["today"]) - dt.timedelta(weeks=reading.STATS_WEEKS - 1)
    by_week = {w.start: w for w in stats.weeks}
    expected_words: dict[dt.date, int] = {}
    for day, words in ((days["d10"], 1000), (days["d2"], 500), (days["d1"], 500), (days["today"], 600)):
        expected_words[_monday(day)] = expected_words.get(_monday(day), 0) + words
    expected_saved: dict[dt.date, int] = {}
    for day in (days["d30"], days["d10"], days["d2"]):  # the 200-day-old save is outside the weeks
        expected_saved[_monday(day)] = expected_saved.get(_monday(day), 0) + 1
    expected_finished: dict[dt.date, int] = {}
    for day in (days["d1"], days["today"]):
        expected_finished[_monday(day)] = expected_finished.get(_monday(day), 0) + 1
    for start, week in by_week.items():
        assert week.words == expected_words.get(start, 0), start
        assert week.saved == expected_saved.get(start, 0), start
        assert week.finished == expected_finished.get(start, 0), start
        assert week.minutes == math.ceil(week.words / WORDS_PER_MINUTE)
    assert stats.words == 2600 and stats.saved == 3 and stats.finished == 2
    assert stats.minutes == math.ceil(2600 / WORDS_PER_MINUTE) == 11
    assert (stats.streak, stats.read_today) == (3, True)  # today, yesterday, the day before; not day 10
    assert stats.sites == [("Long Reads", 2000), ("Quick News", 600)]
    assert stats.tags == [("science", 2), ("essays", 1)]


def test_streak_holds_until_a_day_is_missed(user):
    article = ArticleFactory(user=user, ready=True, word_count=1000)
    today = timezone.localdate()
    _read(user, article, [10], today - dt.timedelta(days=2))
    _read(user, article, [20], today - dt.timedelta(days=1))
    stats = reading.reading_stats(user=user)
    assert (stats.streak, stats.read_today) == (2, False)  # nothing yet today: the streak still holds
    stats = reading.reading_stats(user=user, today=today + dt.timedelta(days=1))
    assert stats.streak == 0  # a whole day without reading ends it


def test_stats_page_chart_and_csv_are_private(client_logged_in, client, user, other_user, history):
    response = client_logged_in.get(reverse("reading:stats"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<svg" in body and body.count('class="stats-bar"') == reading.STATS_WEEKS
    assert "<script" not in body.split("<main", 1)[-1]  # no chart script
    assert "Long Reads" in body and "2600" in body
    export = client_logged_in.get(reverse("reading:stats_csv"))
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert len(rows) == reading.STATS_WEEKS
    assert sum(int(r["words_read"]) for r in rows) == 2600
    assert sum(int(r["articles_finished"]) for r in rows) == 2
    client.force_login(other_user)
    theirs = list(csv.DictReader(io.StringIO(client.get(reverse("reading:stats_csv")).content.decode())))
    assert sum(int(r["words_read"]) for r in theirs) == 5000  # only their own reading


@pytest.mark.parametrize("language", ["de", "fr", "es", "en"])
def test_stats_chart_lengths_are_numbers_in_every_language(client_logged_in, user, history, language):
    """German, French and Spanish write decimals with a comma ("142,0"), which is no SVG length: the
    browser dropped every bar and logged an error per attribute. The chart's numbers stay unlocalized."""
    ReaderSettingsFactory(user=user, language=language)
    body = client_logged_in.get(reverse("reading:stats")).content.decode()
    assert f'<html lang="{language}"' in body
    svg = body[body.index("<svg") : body.index("</svg>")]
    lengths = re.findall(r'\b(?:x|y|x1|y1|x2|y2|width|height)="([^"]*)"', svg)
    assert len(lengths) >= 4 * reading.STATS_WEEKS
    assert all(re.fullmatch(r"-?\d+(\.\d+)?", value) for value in lengths), lengths
    assert re.search(r'viewBox="0 0 \d+ \d+"', svg)
    assert any(float(value) > 0 and not value.isdigit() for value in lengths)  # there were decimals to write


def test_stats_page_needs_a_login(client):
    assert client.get(reverse("reading:stats")).status_code == 302
    assert client.get(reverse("reading:stats_csv")).status_code == 302
