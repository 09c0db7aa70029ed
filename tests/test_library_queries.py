"""Library pages: views, sorts, keyset cursors (every row exactly once, no OFFSET), tag and site views."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import queries
from tests.factories import ArticleFactory, TagFactory

pytestmark = pytest.mark.django_db


def _make(user, n, **fields):
    url = f"https://example.com/{n}"
    base = timezone.now() - timedelta(days=1)
    fields.setdefault("saved_at", base + timedelta(seconds=n // 2))  # pairs share a time: ties by id
    fields.setdefault("word_count", (n * 37) % 11)
    return ArticleFactory(user=user, url=url, **fields)


def _walk(**kwargs):
    seen, cursor, pages = [], None, 0
    while True:
        page = queries.article_page(cursor=cursor, limit=4, **kwargs)
        seen += page.articles
        pages += 1
        if page.next_cursor is None:
            return seen, pages
        cursor = page.next_cursor


@pytest.mark.parametrize("sort", ["newest", "oldest", "longest", "shortest"])
def test_keyset_walk_returns_every_row_once_in_order(user, other_user, sort):
    mine = [_make(user, n) for n in range(15)]
    _make(other_user, 100)
    rows, pages = _walk(user=user, view="all", sort=sort)
    assert pages == 4
    _, field, descending = queries.LIBRARY_SORTS[sort]
    expected = sorted(mine, key=lambda a: (getattr(a, field), a.pk), reverse=descending)
    assert [a.pk for a in rows] == [a.pk for a in expected]


def test_views_filter_states(user):
    unread = _make(user, 1)
    started = _make(user, 2, progress_percent=30)
    read = _make(user, 3, read_at=timezone.now())
    archived = _make(user, 4, is_archived=True, is_favorite=True)
    _make(user, 5, deleted_at=timezone.now())

    def ids(view, **kw):
        return {a.pk for a in queries.article_page(user=user, view=view, **kw).articles}

    assert ids("unread") == {unread.pk, started.pk}
    assert ids("continue") == {started.pk}
    assert ids("favorites") == {archived.pk}
    assert ids("archive") == {archived.pk}
    assert ids("all") == {unread.pk, started.pk, read.pk, archived.pk}


def test_tag_and_site_views(user, other_user):
    tag = TagFactory(user=user, name="t")
    a = _make(user, 1, site_name="Example News")
    b = _make(user, 2)
    a.tags.add(tag)
    _make(other_user, 3, site_name="Example News")
    assert [x.pk for x in queries.article_page(user=user, view="tag", tag=tag).articles] == [a.pk]
    assert [x.pk for x in queries.article_page(user=user, view="site", site="Example News").articles] == [
        a.pk
    ]
    assert b.pk in {x.pk for x in queries.article_page(user=user, view="all").articles}


@pytest.mark.parametrize("sort", ["newest", "longest"])  # the deferred join, and the plain join
def test_tag_view_walks_every_tagged_row_once_with_tags_by_name(user, sort):
    tag = TagFactory(user=user, name="b-tag")
    other = TagFactory(user=user, name="A-tag")
    tagged = []
    for n in range(11):
        article = _make(user, n, deleted_at=timezone.now() if n == 5 else None)
        if n % 3:
            article.tags.add(tag, other)
            if n != 5:
                tagged.append(article)
    rows, pages = _walk(user=user, view="tag", tag=tag, sort=sort)
    field = queries.LIBRARY_SORTS[sort][1]
    expected = sorted(tagged, key=lambda a: (getattr(a, field), a.pk), reverse=True)
    assert [a.pk for a in rows] == [a.pk for a in expected] and pages == 2
    assert all([t.name for t in a.tag_list] == ["A-tag", "b-tag"] for a in rows)


@pytest.mark.parametrize("cursor", ["nonsense", "2024-01-01T00:00:00_1", "x_y", "99999999999999999999_1"])
def test_bad_cursor_raises_value_error(user, cursor):
    with pytest.raises(ValueError):
        queries.article_page(user=user, view="all", cursor=cursor)


def test_page_is_two_queries_without_offset_count_or_bodies(user):
    for n in range(12):
        _make(user, n).tags.add(TagFactory(user=user, name=f"t{n % 3}"))
    first = queries.article_page(user=user, view="all", limit=5)
    user_tags = queries.tag_list(user=user)
    with CaptureQueriesContext(connection) as ctx:
        page = queries.article_page(user=user, view="all", limit=5, cursor=first.next_cursor, tags=user_tags)
        tags = {a.pk: [t.name for t in a.tag_list] for a in page.articles}
    sql = " ".join(q["sql"] for q in ctx.captured_queries).upper()
    assert len(ctx.captured_queries) == 2
    assert all(tags[a.pk] == [t.name for t in a.tags.order_by("name")] for a in page.articles)
    assert any(tags.values())
    assert (
        "OFFSET" not in sql
        and "COUNT(" not in sql
        and "CONTENT_HTML" not in sql
        and "CONTENT_TEXT" not in sql
    )
