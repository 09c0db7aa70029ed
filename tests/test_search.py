"""Full-text search, the same cases on PostgreSQL and SQLite: ranking, highlighting, the query language,
filters, the index following every change, the page, the API, saved searches."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import search, services
from articles.models import Article, SavedSearch, Tag
from articles.search import _postgres, article_search, search_config_for
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

PG = "postgresql"


def make(user, title="", text="", *, language="en", **fields) -> Article:
    """A ready article with ``text`` as its body text, in ``language`` (the factory derives the search
    configuration as processing does)."""
    return ArticleFactory(
        user=user, title=title, content_text=text, language=language, status=Article.Status.READY, **fields
    )


def ids(query, user, **kwargs):
    return [a.pk for a in article_search(user=user, query=query, **kwargs).results]


# --- "done means": the seed article, through the worker's function, found by a phrase of its body -------------


@pytest.fixture
def seed(user, page_server):
    article, _ = services.article_save_url(
        origin="form", user=user, url=page_server.url("/seed/voz-russia-taliban.html")
    )
    assert services.article_process(article_id=article.pk) == "ready"
    article.refresh_from_db()
    make(user, "Taliban talks elsewhere", "Russia hosted talks. " * 5)  # a competitor with the same words
    return article


def _phrase_of(article) -> str:
    sentence = next(s for s in re.split(r"(?<=[.!?])\s+", article.content_text) if len(s.split()) >= 12)
    return " ".join(re.findall(r"\w+", sentence)[2:8])


def test_seed_phrase_found_first_with_highlight_in_the_page(seed, client_logged_in):
    phrase = _phrase_of(seed)
    response = client_logged_in.get("/search/", {"q": f'"{phrase}"'})
    assert response.status_code == 200
    body = response.content.decode()
    assert "1 result" in body
    first = re.search(r'class="search-result-link" href="([^"]+)"', body)
    assert first.group(1).startswith(f"/articles/{seed.pk}/?q=")
    assert "<mark>" in body.split('class="headline"', 1)[1]
    marked = re.findall(r"<mark>(.*?)</mark>", body)
    phrase_words = set(re.findall(r"\w+", phrase.lower()))
    # SQLite's snippet() marks the matched span with its punctuation ("General's"); compare words.
    assert marked and all(set(re.findall(r"\w+", w.lower())) <= phrase_words for w in marked)


def test_seed_phrase_found_first_through_the_api(seed, api_client):
    phrase = _phrase_of(seed)
    body = api_client.get("/api/articles/", {"q": f'"{phrase}"'}).json()
    assert body["count"] == 1
    first = body["results"][0]
    assert first["id"] == seed.pk and first["title"] == seed.title and first["rank"] > 0
    assert "<mark>" in first["headline"] and "content_text" not in first  # bodies: GET /api/articles/{id}/


def test_seed_words_rank_the_seed_first(seed, user):
    words = " ".join(_phrase_of(seed).split()[:4])
    page = article_search(user=user, query=words)
    assert page.results[0].pk == seed.pk and "<mark>" in page.results[0].headline


# --- ranking ------------------------------------------------------------------------------------------------


def test_title_outranks_body_and_newer_first_on_ties(user):
    old = make(user, "Gardening one", "Notes on compost and the orchard.")
    new = make(user, "Gardening two", "Notes on compost and the orchard.")
    Article.objects.filter(pk=old.pk).update(saved_at=timezone.now() - timedelta(days=3))
    in_title = make(user, "Orchard planning", "Planting apple trees.")
    assert ids("orchard", user) == [in_title.pk, new.pk, old.pk]
    ranks = [a.rank for a in article_search(user=user, query="orchard").results]
    assert ranks[0] > ranks[1] == ranks[2] > 0


def test_more_mentions_rank_higher(user):
    once = make(user, "A", "The glacier moved. Other words here.")
    thrice = make(user, "B", "The glacier moved. A glacier melts. Every glacier is old.")
    assert ids("glacier", user) == [thrice.pk, once.pk]


# --- language-aware --------------------------------------------------------------------------------------------


def test_english_stemming(user):
    article = make(user, "Morning", "She runs every day; yesterday she ran far.")
    assert ids("running", user) == [article.pk]


def test_spanish_article_indexed_in_spanish(user):
    article = make(user, "Maratón", "Me gusta correr por el parque.", language="es")
    assert article.search_config == ("spanish")
    assert ids("corriendo", user) == [article.pk]  # Snowball Spanish: corriendo → corr ← correr
    assert ids("correr", user) == [article.pk]


def test_language_configs():
    assert search_config_for("en") == "english" and search_config_for("es-MX") == "spanish"
    assert search_config_for("pt_BR") == "portuguese" and search_config_for("ru") == "russian"
    assert search_config_for("zh") == search_config_for("ja") == search_config_for("ko") == "simple"
    assert search_config_for("") == search_config_for("xx") == "simple"


def test_unknown_config_refused_by_the_database(user):
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic():  # the check constraint (or the trigger first)
        Article.objects.create(
            user=user, url="https://e.com/x", url_key="https://e.com/x", search_config="klingon"
        )


def test_chinese_uses_simple(user):
    article = make(user, "北京", "北京 欢迎 你", language="zh")
    assert article.search_config == "simple"
    assert ids("欢迎", user) == [article.pk]


# --- the index follows every change ---------------------------------------------------------------------------


def test_index_follows_title_and_text_changes(user):
    article = make(user, "Alpha", "Bravo charlie.")
    assert ids("alpha", user) == [article.pk] and ids("bravo", user) == [article.pk]
    article.title = "Delta"
    article.content_text = "Echo foxtrot."
    article.save()
    assert ids("alpha", user) == [] and ids("bravo", user) == []
    assert ids("delta", user) == [article.pk] and ids("echo", user) == [article.pk]
    Article.objects.filter(pk=article.pk).update(content_text="Golf hotel.")
    assert ids("echo", user) == [] and ids("golf", user) == [article.pk]


def test_index_follows_tags_add_remove_rename_delete(user):
    article = make(user, "Plain", "Nothing special.")
    services.article_tags_set(article=article, names=["zeppelin"])
    assert ids("zeppelin", user) == [article.pk]
    Tag.objects.filter(user=user, name="zeppelin").update(name="airship")
    assert ids("zeppelin", user) == [] and ids("airship", user) == [article.pk]
    services.article_tags_set(article=article, names=["blimp"], replace=True)
    assert ids("airship", user) == [] and ids("blimp", user) == [article.pk]
    Tag.objects.filter(user=user, name="blimp").delete()
    assert ids("blimp", user) == []


def test_processing_indexes_the_article(user, page_server, seed):
    assert search.article_search_count(user=user, query="Taliban") == 2


# --- query language ---------------------------------------------------------------------------------------


@pytest.fixture
def library(user):
    a = make(
        user,
        "Quick brown fox",
        "The quick brown fox jumps over the lazy dog.",
        author="Ana Lima",
        site_name="Fox News Network",
        url="https://www.foxes.example/a",
    )
    b = make(
        user,
        "Lazy afternoon",
        "A dog sleeps. The fox is brown and quick.",
        author="John Smith",
        url="https://dogs.example/b",
    )
    c = make(
        user,
        "Programming",
        "Programmers program programs in Python.",
        language="en",
        url="https://code.example/c",
    )
    d = make(
        user, "Nachrichten", "Der schnelle braune Fuchs springt.", language="de", url="https://de.example/d"
    )
    return a, b, c, d


def test_phrase_is_exact(user, library):
    a, b, _c, _d = library
    assert ids('"quick brown fox"', user) == [a.pk]
    assert set(ids("quick brown fox", user)) == {a.pk, b.pk}


def test_phrases_of_common_words(user):
    """Words everywhere, the phrase in one article: found, counted and ranked exactly (PostgreSQL answers
    two-word phrases from the phrase-pair index, longer ones from it plus a position check)."""
    for i in range(12):
        make(user, f"Notes {i}", "Another day. People came and went. " * 3)
    one = make(user, "Crowds", "Some said another people would come. " + "Filler words here. " * 5)
    three = make(user, "Towns", "We met another people entirely, and they left.")
    stop = make(user, "Ends", "It was the end of days for them.")
    assert set(ids('"another people"', user)) == {one.pk, three.pk}
    assert article_search(user=user, query='"another people"').count == 2
    assert ids('"another people entirely"', user) == [three.pk]
    assert ids('"people another"', user) == []
    assert ids('"another people" -crowds', user) == [three.pk]
    assert set(ids('"another people" OR "end of days"', user)) == {one.pk, three.pk, stop.pk}
    assert ids('"end of days"', user) == [stop.pk]
    assert ids('"another people" title:towns', user) == [three.pk]
    page = article_search(user=user, query='"another people"')
    assert all("<mark>" in a.headline for a in page.results)


def test_phrase_pairs_read_from_tsquery():
    assert _postgres._phrase_pairs("'anoth' <-> 'peopl'") == (["anoth peopl"], True)
    assert _postgres._phrase_pairs("'a' <-> 'b' <-> 'c'") == (["a b", "b c"], False)
    assert _postgres._phrase_pairs("'end' <2> 'day'") is None
    assert _postgres._phrase_pairs("'end' <2> 'day' <-> 'night'") == (["day night"], False)
    assert _postgres._phrase_pairs("'o''neil' <-> 'said'") == (["o'neil said"], True)
    assert _postgres._phrase_pairs("'word'") is None
    assert _postgres._phrase_pairs("'a':A <-> 'b':A") is None
    assert _postgres._phrase_pairs("'a' & 'b'") is None


def test_headline_pattern_finds_phrases_and_words():
    pattern = _postgres.headline_pattern("( 'award' <-> 'lander' ) | 'rocket':* & !'o''neil'")
    assert pattern == r"\m(award\w*\W+lander\w*|rocket|o\'neil)"
    assert _postgres.headline_pattern("'end' <2> 'day'") == r"\m(end\w*\W+(?:\w+\W+){0,1}day\w*)"
    assert _postgres.headline_pattern("") == ""
    # One or two letters ("s*" is read as the word "s"): that word, not every word starting with it.
    assert _postgres.headline_pattern("'s' | 'co' <-> 'op'") == r"\m(co\M\W+op\M|s\M)"


def test_phrase_index_follows_text_changes(user):
    """On PostgreSQL the pairs come from the stored vector and the phrase search uses their GIN index."""
    article = make(user, "Title words", "Another people came.")
    if connection.vendor == PG:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT articles_phrase_pairs(search_vector)::text FROM articles_search_doc "
                "WHERE article_id = %s",
                [article.pk],
            )
            assert cursor.fetchone()[0] == "'anoth peopl' 'peopl came' 'titl word' 'word anoth'"
            cursor.execute("SET enable_seqscan = off")
            cursor.execute(
                "EXPLAIN SELECT count(*) FROM articles_search_doc s "
                "WHERE articles_phrase_pairs(s.search_vector) @@ '''anoth peopl'''::tsquery"
            )
            plan = "\n".join(row[0] for row in cursor.fetchall())
            cursor.execute("SET enable_seqscan = on")
        assert "article_search_doc_pairs" in plan
    assert ids('"another people"', user) == [article.pk]
    Article.objects.filter(pk=article.pk).update(content_text="People came, another time.")
    assert ids('"another people"', user) == []
    assert ids('"people came"', user) == [article.pk]


def test_or_exclusion_prefix(user, library):
    _a, b, c, d = library
    assert set(ids("python OR sleeps", user)) == {b.pk, c.pk}
    assert ids("fox -jumps", user) == [b.pk]
    assert ids('fox -"lazy dog"', user) == [b.pk]
    assert ids("progr*", user) == [c.pk]
    assert ids("-fox -python", user) == [d.pk]
    assert set(ids('-"quick brown fox" -python', user)) == {b.pk, d.pk}
    assert article_search(user=user, query='-"quick brown fox"').count == 3
    assert search.article_search_count(user=user, query="-fox lang:de") == 1


def test_filters(user, library):
    a, b, c, d = library
    services.article_tags_set(article=b, names=["Pets", "long read"])
    Article.objects.filter(pk=a.pk).update(is_archived=True, is_favorite=True, read_at=timezone.now())
    Article.objects.filter(pk=c.pk).update(saved_at=timezone.now() - timedelta(days=400))
    assert ids("tag:pets fox", user) == [b.pk]
    assert ids('tag:"long read"', user) == [b.pk]
    assert ids("-tag:pets fox", user) == [a.pk]
    assert ids("site:foxes.example", user) == [a.pk]
    assert ids("site:www.foxes.example fox", user) == [a.pk]
    assert ids("author:smith", user) == [b.pk]
    assert ids("title:lazy", user) == [b.pk]
    assert ids('title:"brown fox"', user) == [a.pk]
    assert ids("lang:de", user) == [d.pk]
    assert ids("is:archived", user) == [a.pk] and ids("is:favorite", user) == [a.pk]
    assert ids("is:read", user) == [a.pk] and a.pk not in ids("is:unread", user)
    day = (timezone.now() - timedelta(days=200)).date().isoformat()
    assert ids(f"before:{day}", user) == [c.pk]
    assert c.pk not in ids(f"after:{day}", user) and len(ids(f"after:{day}", user)) == 3


def test_site_filter_follows_url_changes(user):
    """site: matches the site name and the hosts of the saved and final URLs, as they change."""
    article = make(user, "Moved", "A fox story.", url="https://old.example/a", site_name="Old Times")
    assert ids("site:old.example fox", user) == [article.pk]
    Article.objects.filter(pk=article.pk).update(final_url="https://www.new.example/a")
    assert ids("site:new.example fox", user) == [article.pk]
    assert ids("site:old.example fox", user) == [article.pk]
    Article.objects.filter(pk=article.pk).update(url="https://third.example/a", site_name="")
    assert ids("site:old.example fox", user) == []
    assert ids("-site:new.example fox", user) == []


def test_filter_only_lists_newest_first(user, library):
    a, b, c, _d = library
    page = article_search(user=user, query="lang:en")
    assert [x.pk for x in page.results] == [c.pk, b.pk, a.pk] and page.count == 3 and not page.ranked


@pytest.mark.parametrize(
    "raw",
    [
        '"unclosed',
        "foo:bar",
        "before:nope",
        "(((",
        "*",
        "-",
        "OR",
        "title:",
        '""',
        "\\",
        "'",
        "a&b|!c",
        "fox:*",
        "'; DROP TABLE articles_article; --",
        "NEAR(a b)",
        "a AND",
        "^fox",
        "fox*:A",
    ],
)
def test_malformed_queries_answer_200(client_logged_in, api_client, user, library, raw):
    assert client_logged_in.get("/search/", {"q": raw}).status_code == 200
    assert (
        client_logged_in.get(
            "/search/", {"q": raw}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="search-results"
        ).status_code
        == 200
    )
    assert api_client.get("/api/articles/", {"q": raw}).status_code == 200


def test_stop_words_only(user, library):
    """PostgreSQL's stop words on both engines: "the" alone finds nothing, excluding it excludes nothing."""
    page = article_search(user=user, query="the")
    assert page.count == 0 and page.results == []
    assert search.article_search_count(user=user, query="-the") == 4
    assert search.article_search_count(user=user, query='"the lazy dog"') == 1


# --- results --------------------------------------------------------------------------------------------------


def test_headline_escapes_article_text(user):
    make(user, "Markup", "Use <script>alert('x')</script> with care; the scriptlet word is here.")
    page = article_search(user=user, query="care")
    headline = page.results[0].headline
    assert "<script" not in headline and "<mark>care</mark>" in headline
    if connection.vendor != PG:  # FTS5 keeps the text as is (escaped here); ts_headline drops tag-like tokens
        assert "&lt;script&gt;" in headline


def test_other_users_articles_are_never_found(user, other_user):
    make(other_user, "Secret", "classified material")
    mine = make(user, "Mine", "classified but mine")
    assert ids("classified", user) == [mine.pk]
    assert search.article_search_count(user=user, query="secret") == 0


def test_count_and_pages(user):
    made = [make(user, f"Comet {i}", "comet tail " * (i + 1)) for i in range(25)]
    first = article_search(user=user, query="comet")
    second = article_search(user=user, query="comet", page=2)
    assert first.count == second.count == 25 and len(first.results) == 20 and len(second.results) == 5
    assert first.has_next and not second.has_next
    assert first.results[0].pk == made[-1].pk  # the most mentions
    assert {a.pk for a in first.results} | {a.pk for a in second.results} == {a.pk for a in made}


def test_count_is_capped_past_the_limit(user, other_user, settings):
    """Past FOLIO_SEARCH_COUNT_LIMIT a search stops counting and says so ("more than"), for words, filters
    alone and exclusions alone, on both engines; below it the count is exact."""
    for i in range(25):
        make(user, f"Comet {i}", "comet tail " * (i + 1))
    for i in range(3):
        make(user, f"Nebula {i}", "nebula dust", is_favorite=True)
    for i in range(30):  # another person's articles with the word: they must not change this user's counts
        make(other_user, f"Far nebula {i}", "nebula gas")
    uncapped = article_search(user=user, query="comet")
    assert (uncapped.count, uncapped.count_capped) == (25, False)
    settings.FOLIO_SEARCH_COUNT_LIMIT = 20
    first = article_search(user=user, query="comet")
    assert (first.count, first.count_capped, len(first.results)) == (20, True, 20)
    assert not first.has_next  # the pages stop at the cap
    # Still ranked over every match, not over the first ones counted.
    assert [(a.pk, a.rank) for a in first.results] == [(a.pk, a.rank) for a in uncapped.results]
    cases = {
        "nebula": (3, False),
        "comet OR nebula": (20, True),
        "is:unread": (20, True),  # a filter alone: 28 articles
        "is:favorite": (3, False),
        "-comet": (3, False),  # an exclusion alone, 28 less 25
        "-nebula": (20, True),  # 25 left, although every user's "nebula" (33) exceeds the margin
        "-zzyzx": (20, True),
        "is:unread -nebula": (20, True),
        "is:favorite -comet": (3, False),
    }
    for query, expected in cases.items():
        page = article_search(user=user, query=query)
        assert (page.count, page.count_capped) == expected, query
        count = search.article_search_count(user=user, query=query)
        assert (count, count.capped) == expected, query
    exact = search.article_search_count(user=user, query="-nebula", exact=True)
    assert (exact, exact.capped) == (25, False)
    assert search.article_search_count(user=user, query="comet", exact=True) == 25


@pytest.mark.parametrize("ember_newest", [False, True])
def test_capped_exclusion_decided_on_the_newest_rows(user, settings, ember_newest):
    """An exclusion alone past the cap: on PostgreSQL the ``2 * cap`` rows with the highest ids decide it
    when enough of them lack the word; when most of them hold it, every article holding it is counted
    (the bound). Both ways give the same answer, on both engines."""
    settings.FOLIO_SEARCH_COUNT_LIMIT = 20
    plain = lambda: [make(user, f"Plain {i}", "quiet text") for i in range(50)]  # noqa: E731
    ember = lambda: [make(user, f"Ember {i}", "ember glow") for i in range(30)]  # noqa: E731
    if ember_newest:
        plain(), ember()
    else:
        ember(), plain()
    with CaptureQueriesContext(connection) as queries:
        page = article_search(user=user, query="-ember")
    assert (page.count, page.count_capped, len(page.results)) == (20, True, 20)
    assert all(a.title.startswith("Plain") for a in page.results)
    count = search.article_search_count(user=user, query="-ember is:unread")
    assert (count, count.capped) == (20, True)
    settings.FOLIO_SEARCH_COUNT_LIMIT = 60
    exact = article_search(user=user, query="-ember")
    assert (exact.count, exact.count_capped) == (50, False)
    if connection.vendor == PG:
        sqls = [q["sql"] for q in queries.captured_queries]
        decided = any("ORDER BY s.article_id DESC OFFSET" in sql for sql in sqls)
        bound = any(
            sql.startswith("SELECT count(*) FROM articles_search_doc WHERE search_vector") for sql in sqls
        )
        assert decided and bound == ember_newest


def test_capped_count_on_every_face(client_logged_in, api_client, user, settings):
    """The search page, its htmx partial, the API and saved searches all state a capped count as one."""
    settings.FOLIO_SEARCH_COUNT_LIMIT = 20
    for i in range(22):
        make(user, f"Comet {i}", "comet tail")
    make(user, "Nebula", "nebula dust")
    page = client_logged_in.get("/search/", {"q": "comet"}).content.decode()
    assert "More than 20 results" in page
    partial = client_logged_in.get(
        "/search/", {"q": "comet"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="search-results"
    ).content.decode()
    assert "More than 20 results" in partial and 'rel="next"' not in partial
    assert "1 result" in client_logged_in.get("/search/", {"q": "nebula"}).content.decode()
    body = api_client.get("/api/articles/", {"q": "comet"}).json()
    assert (body["count"], body["count_capped"], len(body["results"]), body["next"]) == (20, True, 20, None)
    body = api_client.get("/api/articles/", {"q": "nebula"}).json()
    assert (body["count"], body["count_capped"]) == (1, False)
    services.saved_search_create(user=user, name="Comets", query="comet")
    services.saved_search_create(user=user, name="Nebulae", query="nebula")
    sidebar = client_logged_in.get("/search/saved/", HTTP_HX_REQUEST="true").content.decode()
    assert re.search(r'class="count">more than 20<', sidebar) and re.search(r'class="count">1<', sidebar)
    listing = client_logged_in.get("/search/saved/").content.decode()
    assert "More than 20 articles" in listing and "1 article<" in listing


def test_deleted_articles_are_not_found(user):
    article = make(user, "Gone", "ephemeral")
    Article.objects.filter(pk=article.pk).update(deleted_at=timezone.now())
    assert ids("ephemeral", user) == []


def test_compact_ranking_agrees_with_full_ranking(user, monkeypatch):
    """PostgreSQL ranks big match sets on the compact vector; the top must be the full ranking's top."""
    for i in range(60):
        make(user, f"Report {i}", ("market " * (i % 7)) + "filler text about weather " * 20)
    full = [(a.pk, a.rank) for a in article_search(user=user, query="market").results]
    monkeypatch.setattr(_postgres, "FULL_RANK_LIMIT", 5)
    monkeypatch.setattr(_postgres, "CANDIDATES", 10)
    compact = [(a.pk, a.rank) for a in article_search(user=user, query="market").results]
    assert [r for _, r in compact] == [r for _, r in full]
    assert compact == full


def test_heavy_tier_ranking_agrees_with_full_ranking(user, monkeypatch):
    """When the heavy tier (>= 6 mentions) fills the page, the page is still the full ranking's top."""
    for i in range(70):
        make(user, f"Brief {i}", ("harbour " * (1 + i % 9)) + "filler text about weather " * 20)
    full = [(a.pk, a.rank) for a in article_search(user=user, query="harbour").results]
    monkeypatch.setattr(_postgres, "FULL_RANK_LIMIT", 5)
    monkeypatch.setattr(_postgres, "CANDIDATES", 2)
    with CaptureQueriesContext(connection) as queries:
        heavy = [(a.pk, a.rank) for a in article_search(user=user, query="harbour").results]
    assert heavy == full and len(heavy) == 20
    if connection.vendor == PG:  # the heavy tier answered: no query over the whole compact vector
        sqls = [q["sql"] for q in queries.captured_queries]
        assert sum("articles_heavy_vector(a.search_rank_vector) @@" in sql for sql in sqls) == 1
        assert not any(
            "AND a.search_rank_vector @@" in sql and "articles_heavy_vector" not in sql for sql in sqls
        )


def ranked_both_ways(user, monkeypatch, queries: list[str]) -> tuple[dict, list, list[str]]:
    """Each query's first page ranked in full (every match ranked on its full vector: the limits as set)
    and through the tiers and indexes (``FULL_RANK_LIMIT`` 5, ``CANDIDATES`` 2), and the first query's
    second page both ways; asserts they agree id for id and rank for rank. Returns the full ranking's
    first pages, its second page, and the SQL the tiered searches ran."""
    full = {q: [(a.pk, a.rank) for a in article_search(user=user, query=q).results] for q in queries}
    second = [(a.pk, a.rank) for a in article_search(user=user, query=queries[0], page=2).results]
    monkeypatch.setattr(_postgres, "FULL_RANK_LIMIT", 5)
    monkeypatch.setattr(_postgres, "CANDIDATES", 2)
    with CaptureQueriesContext(connection) as queries_run:
        tiered = {q: [(a.pk, a.rank) for a in article_search(user=user, query=q).results] for q in queries}
        tiered_second = [(a.pk, a.rank) for a in article_search(user=user, query=queries[0], page=2).results]
    for q in queries:
        assert [pk for pk, _ in tiered[q]] == [pk for pk, _ in full[q]], q
        assert [round(r, 4) for _, r in tiered[q]] == [round(r, 4) for _, r in full[q]], q
    assert [pk for pk, _ in tiered_second] == [pk for pk, _ in second] and len(second) == 20
    assert [round(r, 4) for _, r in tiered_second] == [round(r, 4) for _, r in second]
    return full, second, [q["sql"] for q in queries_run.captured_queries]


def test_rare_word_ranking_agrees_with_full_ranking(user, monkeypatch):
    """PostgreSQL: a word few articles hold three times is ranked from the twice index and the dates
    (migration 0022) on every page, with filters, and with a second spelling of the word in one article;
    the result is the full ranking's, rank for rank."""
    base = timezone.now() - timedelta(days=30)
    for i in range(45):
        mentions = 1 if i % 3 else 2  # every third article names the word twice
        text = "filler text about weather. " * 20 + "the lighthouse keeper waved. " * mentions
        make(user, f"Coast {i}", text, saved_at=base + timedelta(hours=i), is_archived=i % 2 == 0)
    make(user, "Coast big", "lighthouse lighthouse lighthouse and more lighthouse talk", saved_at=base)
    make(user, "Lighthouse news", "filler text about the sea", saved_at=base)  # a title mention (A)
    # Two readings of the word in one article: the query is 'lighthous' (English) | 'lighthouse' (simple),
    # and an article parsed with the simple configuration holds both (their mentions add up).
    mixed = make(user, "Mixed", "lighthous and lighthouse", language="xx", saved_at=base)
    queries = ["lighthouse", "lighthouse is:archived", "lighthouse -tag:none"]
    full, second, sqls = ranked_both_ways(user, monkeypatch, queries)
    assert len(full["lighthouse"]) == 20 and full["lighthouse"][0][0] != full["lighthouse"][1][0]
    if connection.vendor == PG:  # the twice index answered; no query ranked every match's vector
        assert any("articles_twice_vector(s.search_vector) @@" in sql for sql in sqls)
        assert any("''lighthous'' & ''lighthouse''" in sql for sql in sqls)  # the two readings' AND
        assert mixed.pk in [pk for pk, _ in full["lighthouse"] + second]
        assert not any("ts_rank_cd" in sql and "s.search_vector @@" in sql for sql in sqls)


def test_phrase_ranking_agrees_when_the_heavy_tier_holds_the_words_apart(user, monkeypatch):
    """PostgreSQL: articles naming both words often but the phrase once (the heavy tier) must not pass
    articles holding the phrase twice with fewer mentions of each word."""
    for i in range(40):
        make(user, f"Orchard {i}", "apple pie. " * 8 + "tree house. " * 8 + "an apple tree.")
    twice = [make(user, f"Grove {i}", "an apple tree, then another apple tree.") for i in range(6)]
    full = [(a.pk, a.rank) for a in article_search(user=user, query='"apple tree"').results]
    assert {pk for pk, _ in full[:6]} == {a.pk for a in twice}
    monkeypatch.setattr(_postgres, "FULL_RANK_LIMIT", 5)
    monkeypatch.setattr(_postgres, "CANDIDATES", 2)
    tiered = [(a.pk, a.rank) for a in article_search(user=user, query='"apple tree"').results]
    assert [pk for pk, _ in tiered] == [pk for pk, _ in full]
    assert _postgres._phrase_bounds("'appl' <-> 'tree'") == pytest.approx((4 * 0.2 + 1 / 3, 0.2 + 1 / 3))
    assert _postgres._phrase_bounds("( 'appl' <-> 'tree' ) | ( 'apple' <-> 'tree' )")[1] == pytest.approx(
        2 * (0.2 + 1 / 3)
    )
    assert _postgres._phrase_bounds("'appl' & 'tree'") is None
    assert _postgres._phrase_bounds("'a' <-> 'b' <-> 'c'") is None


def test_phrase_ranked_from_the_indexes_agrees_with_full_ranking(user, monkeypatch):
    """PostgreSQL: a two-word phrase whose matches mostly hold it once is ranked from the phrase-pair,
    boundary and pairs-held-twice indexes (migrations 0023, 0025) and the dates, not from every match's
    vector; the result is the full ranking's, rank for rank, on every page and with a filter: articles
    holding the phrase twice, one straddling the title and the body (0.33), one straddling a tag and the
    body (0.27), one holding two readings of the phrase, and both words named often but apart (0.2) among
    40 holding it once."""
    base = timezone.now() - timedelta(days=30)
    filler = "filler text about weather. " * 20
    for i in range(40):
        make(
            user,
            f"Orchard {i}",
            filler + "an apple tree stood there.",
            saved_at=base + timedelta(hours=i),
            is_archived=i % 2 == 0,
        )
    for i in range(3):  # the phrase twice: 0.4
        make(user, f"Grove {i}", filler + "an apple tree, then another apple tree.", saved_at=base)
    make(user, "Picking an apple", "Tree climbing is fun. " + filler, saved_at=base)  # title straddle
    tagged = make(user, "Notes", "Tree climbing is fun. " + filler, saved_at=base)
    services.article_tags_set(article=tagged, names=["apple"])  # tag (B) straddle
    make(user, "Apart", "apple pie. " * 8 + "tree house. " * 8 + "an apple tree.", saved_at=base)
    for i in range(2):  # three times: both words in the compact vector, ranked on it (0.6)
        make(user, f"Thrice {i}", filler + "an apple tree. " * 3, saved_at=base)
    make(user, "Apples", "apple and apple and an apple tree.", saved_at=base)  # one word thrice: 0.2
    # Read under English ('appl' <-> 'tree') and simple ('apple' <-> 'tree'): an article parsed with the
    # simple configuration can hold both readings, whose occurrences add up.
    make(user, "Mixed", "the appl tree and the apple tree.", language="xx", saved_at=base)
    full, _second, sqls = ranked_both_ways(user, monkeypatch, ['"apple tree"', '"apple tree" is:archived'])
    if connection.vendor == PG:
        ranks = [round(r, 2) for _, r in full['"apple tree"']]
        assert ranks == [0.6] * 2 + [0.4] * 4 + [0.33, 0.27] + [0.2] * 12, ranks
        assert any("articles_phrase_pairs_twice(s.search_vector) @@" in sql for sql in sqls)
        assert any("articles_boundary_pairs(s.search_vector) @@" in sql for sql in sqls)
        # No query ranked every match's vector.
        assert not any("ts_rank_cd" in sql and "articles_phrase_pairs" in sql for sql in sqls)


@pytest.mark.parametrize("candidates", [2, 60])
def test_word_in_many_tags_does_not_crowd_out_body_mentions(user, monkeypatch, candidates):
    """PostgreSQL: articles naming the word only in a tag (0.4) sit in the heavy tier; articles mentioning
    it four times in the body (0.8) must still come first, as in the full ranking."""
    for i in range(30):
        services.article_tags_set(
            article=make(user, f"Tagged {i}", "filler text about ships"), names=["harbour"]
        )
    for mentions, n in ((6, 5), (4, 10), (2, 10), (1, 10)):
        for i in range(n):
            make(user, f"Port {mentions} {i}", "the harbour was calm. " * mentions + "filler text " * 10)
    full = [(a.pk, a.rank) for a in article_search(user=user, query="harbour").results]
    if connection.vendor == PG:  # ts_rank_cd: 0.2 a body mention, 0.4 a tag (SQLite's bm25 weighs them apart)
        assert [round(r, 2) for _, r in full[:15]] == [1.2] * 5 + [0.8] * 10
        assert {a.title for a in Article.objects.filter(pk__in=[pk for pk, _ in full[:15]])} == {
            f"Port {m} {i}" for m, n in ((6, 5), (4, 10)) for i in range(n)
        }
    monkeypatch.setattr(_postgres, "FULL_RANK_LIMIT", 5)
    monkeypatch.setattr(_postgres, "CANDIDATES", candidates)
    tiered = [(a.pk, a.rank) for a in article_search(user=user, query="harbour").results]
    assert [pk for pk, _ in tiered] == [pk for pk, _ in full]


def test_phrase_straddling_title_and_body(user):
    """PostgreSQL continues the vector's positions from the title and metadata into the body, so their last
    and first words form a phrase (ranked 0.33: A beside C), and the boundary index (migration 0023) names
    that pair; SQLite keeps them in separate FTS5 columns, where no phrase straddles them."""
    straddle = make(user, "Picking an apple", "Tree climbing is fun.")
    make(user, "Picking an apple", "The tree is tall.")  # a stop word first: not adjacent
    found = article_search(user=user, query='"apple tree"').results
    if connection.vendor == PG:
        assert [(a.pk, round(a.rank, 2)) for a in found] == [(straddle.pk, 0.33)]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT s.article_id, articles_boundary_pairs(s.search_vector)::text FROM articles_search_doc s "
                "WHERE s.user_id = %s ORDER BY s.article_id",
                [user.pk],
            )
            assert [pairs for _pk, pairs in cursor.fetchall()] == ["'appl tree'", ""]
            cursor.execute(  # the compact vector stays in the article row (migration 0024)
                "SELECT attstorage FROM pg_attribute "
                "WHERE attrelid = 'articles_article'::regclass AND attname = 'search_rank_vector'"
            )
            assert cursor.fetchone()[0] == "m"
    else:
        assert found == []


def test_single_word_reading():
    assert _postgres._single_word("'lighthous'")
    assert _postgres._single_word("( ( 'lighthous' ) | ( 'lighthouse' ) )")
    assert not _postgres._single_word("'light' & 'hous'")
    assert not _postgres._single_word("'light' <-> 'hous'")
    assert not _postgres._single_word("'light':*")
    assert not _postgres._single_word("'light':A")
    assert not _postgres._single_word("'light' & !'hous'")
    assert not _postgres._single_word("")


# --- the page, htmx, saved searches ---------------------------------------------------------------------------


def test_search_page_and_htmx_partial(client_logged_in, user, library):
    page = client_logged_in.get("/search/", {"q": "fox"}).content.decode()
    assert 'id="search-q"' in page and 'hx-get="/search/"' in page and "2 results" in page
    partial = client_logged_in.get(
        "/search/", {"q": "fox"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="search-results"
    ).content.decode()
    assert "<html" not in partial and "2 results" in partial and "<mark>" in partial


def test_header_has_search_box(client_logged_in):
    body = client_logged_in.get("/").content.decode()
    assert 'id="header-search-q"' in body and 'action="/search/"' in body


def test_search_requires_login(client):
    assert client.get("/search/", {"q": "x"}).status_code == 302


def test_saved_search_save_list_delete(client_logged_in, user, library):
    response = client_logged_in.post("/search/saved/new/", {"name": "Foxes", "q": "fox -jumps"})
    assert response.status_code == 302 and "/search/?q=fox" in response["Location"]
    saved = SavedSearch.objects.get(user=user)
    assert saved.query == "fox -jumps"
    sidebar = client_logged_in.get("/search/saved/", HTTP_HX_REQUEST="true").content.decode()
    assert "Foxes" in sidebar and re.search(r'class="count">1<', sidebar)
    page = client_logged_in.get("/search/saved/").content.decode()
    assert "Foxes" in page and html.escape("fox -jumps") in page
    client_logged_in.post(f"/search/saved/{saved.pk}/delete/")
    assert not SavedSearch.objects.exists()


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("https://evil.example/phish", "/search/"),
        ("//evil.example/phish", "/search/"),
        ("javascript:alert(1)", "/search/"),
        ("/search/saved/", "/search/saved/"),
    ],
)
def test_saved_search_delete_redirects_only_within_folio(client_logged_in, user, target, expected):
    """Issue 21.9: ``next`` on the delete form is followed only to an address on this site."""
    from tests.factories import SavedSearchFactory

    saved = SavedSearchFactory(user=user)
    response = client_logged_in.post(f"/search/saved/{saved.pk}/delete/", {"next": target})
    assert response.status_code == 302 and response["Location"] == expected
    assert not SavedSearch.objects.exists()


def test_saved_search_needs_a_name(client_logged_in, user):
    client_logged_in.post("/search/saved/new/", {"name": " ", "q": "fox"})
    assert not SavedSearch.objects.exists()


def test_api_without_q_lists_articles(api_client, user, library):
    body = api_client.get("/api/articles/").json()
    assert len(body["results"]) == 4 and all(r["headline"] is None for r in body["results"])


def test_api_search_fields(api_client, user, library):
    _a, _b, c, _d = library
    body = api_client.get("/api/articles/", {"q": "python"}).json()
    assert body["count"] == 1 and body["next"] is None and body["previous"] is None
    result = body["results"][0]
    assert result["id"] == c.pk and "<mark>Python</mark>" in result["headline"] and result["rank"] > 0
    for key in ("url", "title", "tags", "created_at"):
        assert key in result


# --- each article in its own language, on both engines ---------------------------------------------------------


def test_french_and_german_articles_stemmed_in_their_language(user):
    french = make(user, "Élections", "Les électeurs ont voté pour les réformes économiques.", language="fr")
    german = make(user, "Häuser", "Die Häuser der Stadt wurden gebaut.", language="de")
    english = make(user, "Houses", "The houses were built quickly.", language="en")
    assert ids("réforme", user) == [french.pk]  # réformes → réform ← réforme (Snowball French)
    assert ids("électeur", user) == [french.pk]
    assert ids("Stadt", user) == ids("städte", user) == [german.pk]  # Snowball German: städte → stadt
    assert ids("house", user) == [english.pk]
    assert ids('"houses were built"', user) == [english.pk]  # "were" is a stop word: its place is kept
    assert ids('"houses built"', user) == []


def test_stop_words_are_postgresqls(user):
    """The stop-word lists used on SQLite are PostgreSQL's: on PostgreSQL every listed word vanishes."""
    from articles.search import _text

    english = _text.stop_words("english")
    assert {"the", "of", "and", "were"} <= english and "house" not in english
    assert _text.stop_words("simple") == frozenset() and _text.stop_words("arabic") == frozenset()
    if connection.vendor == PG:
        with connection.cursor() as cursor:
            for config in ("english", "french", "german", "russian", "spanish"):
                words = sorted(_text.stop_words(config))
                cursor.execute(
                    "SELECT count(*) FROM unnest(%s::text[]) w WHERE to_tsvector(%s::regconfig, w) <> ''",
                    [words, config],
                )
                assert cursor.fetchone()[0] == 0, config


def test_sqlite_headline_marks_stems_and_phrases(user):
    article = make(
        user, "Runner", "Yesterday she was running far. " * 3 + "Houses were built at the end of days."
    )
    page = article_search(user=user, query="runs")
    assert page.results[0].pk == article.pk and "<mark>running</mark>" in page.results[0].headline
    page = article_search(user=user, query='"end of days"')
    assert [a.pk for a in page.results] == [article.pk]
    headline = page.results[0].headline
    assert "<mark>end" in headline and "days</mark>" in headline


def test_title_only_queries_rank_as_the_full_ranking(user, monkeypatch):
    """Title terms match through the title vector's index on PostgreSQL; past FULL_RANK_LIMIT they are ranked
    on it, which gives the full vector's ranks."""
    for i in range(30):
        make(user, f"Harbour report {i}" + (" harbour" * (i % 3)), "filler text about the weather " * 5)
    make(user, "Weather", "harbour in the body only")
    full = [(a.pk, round(a.rank, 6)) for a in article_search(user=user, query="title:harbour").results]
    monkeypatch.setattr(_postgres, "FULL_RANK_LIMIT", 5)
    title = [(a.pk, round(a.rank, 6)) for a in article_search(user=user, query="title:harbour").results]
    assert title == full and len(full) == 20
    assert article_search(user=user, query="title:harbour").count == 30
    assert article_search(user=user, query="title:harbour -tag:x weather").count == 30


def test_export_selects_with_the_search_language(user, library):
    from articles.services.exporting import export_articles

    a, b, c, d = library
    services.article_tags_set(article=b, names=["news"])
    Article.objects.filter(pk=c.pk).update(is_favorite=True)

    def exported(query):
        return {x.pk for x in export_articles(user=user, query=query)}

    assert exported("tag:news") == {b.pk}
    assert exported('"quick brown fox"') == {a.pk}
    assert exported("is:favorite") == {c.pk}
    assert exported("fox -jumps") == {b.pk}
    assert exported("programs") == {c.pk}  # stemmed, as the search box finds it
    assert exported("the") == set()  # stop words only
    assert exported("") == {a.pk, b.pk, c.pk, d.pk}
    assert exported("'; DROP TABLE articles_article; --") == set()


def test_one_letter_prefix_is_read_as_a_word_with_a_notice(client_logged_in, user):
    solo = make(user, "Vitamin A", "A note on vitamin a and its sources.", language="")
    body = client_logged_in.get(
        "/search/", {"q": "a*"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="search-results"
    ).content.decode()
    assert "too short for a prefix" in body and "1 result" in body  # "a" in a simple-config article
    assert ids("a*", user) == [solo.pk]


def test_tag_ids_on_the_search_row_follow_every_tag_change(user):
    """PostgreSQL: the search row's ``tag_ids`` (migration 0021) follow tagging, untagging, a merge and a
    tag's deletion, and ``tag:`` is answered through their GIN index; on both engines the filter finds the
    same articles."""
    article = make(user, "Budget talks", "The budget vote came late.")
    other = make(user, "Budget news", "The budget passed.")
    services.article_tags_set(article=article, names=["Politics", "science"])

    def tag(name):
        return Tag.objects.get(user=user, name=name)

    def row_ids(pk):
        with connection.cursor() as cursor:
            cursor.execute("SELECT tag_ids FROM articles_search_doc WHERE article_id = %s", [pk])
            return list(cursor.fetchone()[0])

    assert ids("tag:politics budget", user) == [article.pk]
    assert ids("-tag:politics budget", user) == [other.pk]
    if connection.vendor == PG:
        assert row_ids(article.pk) == sorted([tag("Politics").pk, tag("science").pk])
        assert row_ids(other.pk) == []
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")
            cursor.execute(
                "EXPLAIN SELECT count(*) FROM articles_search_doc s WHERE s.tag_ids && %s::bigint[]",
                [[tag("Politics").pk]],
            )
            plan = "\n".join(row[0] for row in cursor.fetchall())
            cursor.execute("SET enable_seqscan = on")
        assert "article_search_doc_tags" in plan
    services.article_tags_set(article=article, names=["Politics"], replace=True)
    services.article_tags_set(article=other, names=["science", "later"])
    if connection.vendor == PG:
        assert row_ids(article.pk) == [tag("Politics").pk]
        assert row_ids(other.pk) == sorted([tag("science").pk, tag("later").pk])
    assert ids("tag:science budget", user) == [other.pk]
    services.tag_merge(user=user, source_ids=[tag("later").pk], target_id=tag("Politics").pk)
    assert ids("tag:politics budget", user) == [other.pk, article.pk]
    if connection.vendor == PG:
        assert row_ids(other.pk) == sorted([tag("science").pk, tag("Politics").pk])
    services.tag_delete(user=user, pk=tag("Politics").pk)
    assert ids("tag:politics budget", user) == []
    if connection.vendor == PG:
        assert row_ids(article.pk) == []
        assert row_ids(other.pk) == [tag("science").pk]
