"""Tagging rules (automation.services.rules): conditions, order and ``stop``, on arrival through
``article_store_extraction`` (the processing service), over the existing library, and no loop."""

import pytest

from articles import services
from articles.models import Article
from articles.services.processing import extraction_from_content
from automation.conditions import Facts, clean_conditions, matches
from automation.models import Rule, RuleRun
from automation.services import rules
from automation.services.rules import RuleError, RuleFields
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def make_rule(user, name, conditions, **actions):
    return rules.rule_create(user=user, fields=RuleFields(name=name, conditions=conditions, **actions))


def arrive(article, html, title, language="", capture=None):
    """Store ``html`` as the article's content, as processing does, and run the commit's callbacks."""
    content = extraction_from_content(
        html=html, url=article.url, title=title, metadata={"language": language}
    )
    with capture(execute=True):
        services.article_store_extraction(article=article, extraction=content)
    article.refresh_from_db()
    return article


def tag_names(article):
    return sorted(article.tags.values_list("name", flat=True))


# --- conditions ---------------------------------------------------------------------------------------------


def facts(**fields):
    article = Article(
        url=fields.get("url", "https://blog.example.com/post/1"),
        final_url="",
        site_name=fields.get("site_name", ""),
        title=fields.get("title", "Python packaging in 2026"),
        content_text=fields.get("text", "A long text about wheels and sdists."),
        language=fields.get("language", "en-GB"),
        reading_time_minutes=fields.get("minutes", 7),
        origin=fields.get("origin", "feed"),
    )
    return Facts.of(article)


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        ({"site": "example.com"}, True),  # a subdomain of the domain
        ({"site": "www.example.com"}, True),  # www. ignored
        ({"site": "ample.com"}, False),  # not a suffix of a label
        ({"url_contains": "/POST/"}, True),  # case ignored
        ({"title_words": "python PACKAGING"}, True),
        ({"title_words": "pack"}, False),  # whole words
        ({"text_words": "wheels sdists"}, True),
        ({"language": "en"}, True),  # en matches en-GB
        ({"language": "de"}, False),
        ({"reading_time_above": 5}, True),
        ({"reading_time_above": 7}, False),
        ({"reading_time_below": 8}, True),
        ({"origin": "feed"}, True),
        ({"origin": "email"}, False),
    ],
)
def test_each_condition(conditions, expected):
    assert matches(clean_conditions(conditions), "all", facts()) is expected


def test_match_all_and_any():
    conditions = clean_conditions({"site": "example.com", "origin": "email"})
    assert matches(conditions, "all", facts()) is False
    assert matches(conditions, "any", facts()) is True


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"conditions": {}}, "at least one condition"),
        ({"conditions": {"origin": "pigeon"}}, "Unknown origin"),
        ({"conditions": {"colour": "red"}}, "Unknown condition"),
        ({"conditions": {"reading_time_above": "long"}}, "whole number"),
        ({"conditions": {"site": "x.org"}, "add_tags": []}, "at least one action"),
        ({"conditions": {"site": "x.org"}, "add_tags": ["x" * 101]}, "at most 100"),
        ({"name": " ", "conditions": {"site": "x.org"}}, "needs a name"),
    ],
)
def test_bad_rules_are_refused_with_a_reason(user, fields, message):
    values = {"name": "r", "add_tags": ["t"], **fields}
    with pytest.raises(RuleError, match=message):
        rules.rule_create(user=user, fields=RuleFields(**values))
    assert not Rule.objects.exists()


# --- on arrival ---------------------------------------------------------------------------------------------


def test_rules_run_when_an_article_becomes_ready(user, django_capture_on_commit_callbacks):
    make_rule(user, "Python", {"title_words": "python"}, add_tags=["python"], favorite=True)
    make_rule(
        user, "Long reads", {"reading_time_above": 0, "language": "en"}, add_tags=["long"], archive=True
    )
    make_rule(user, "Feeds only", {"origin": "feed"}, add_tags=["feed"])
    article = ArticleFactory(user=user, status=Article.Status.FETCHING, origin="form")
    article = arrive(
        article, "<p>" + "word " * 400 + "</p>", "Python tips", "en", django_capture_on_commit_callbacks
    )
    assert tag_names(article) == ["long", "python"]
    assert article.is_favorite and article.is_archived and article.read_at is None
    counts = dict(Rule.objects.values_list("name", "match_count"))
    assert counts == {"Python": 1, "Long reads": 1, "Feeds only": 0}


def test_order_and_stop_are_respected(user, django_capture_on_commit_callbacks):
    first = make_rule(user, "First", {"site": "example.com"}, add_tags=["first"], stop=True)
    second = make_rule(user, "Second", {"site": "example.com"}, add_tags=["second"])
    a = arrive(
        ArticleFactory(user=user, status="fetching"),
        "<p>a</p>",
        "A",
        capture=django_capture_on_commit_callbacks,
    )
    assert tag_names(a) == ["first"]  # "First" stops the run for this article: "Second" never ran
    rules.rule_reorder(user=user, ids=[second.pk, first.pk])
    b = arrive(
        ArticleFactory(user=user, status="fetching"),
        "<p>b</p>",
        "B",
        capture=django_capture_on_commit_callbacks,
    )
    assert tag_names(b) == ["first", "second"]
    assert dict(Rule.objects.values_list("name", "match_count")) == {"First": 2, "Second": 1}
    assert [r.name for r in Rule.objects.filter(user=user)] == ["Second", "First"]


def test_rules_do_not_loop(user, events, django_capture_on_commit_callbacks):
    """A rule's actions emit article.archived/favorited, never article.ready: the rules run once."""
    make_rule(
        user,
        "All",
        {"url_contains": "example"},
        add_tags=["seen"],
        archive=True,
        favorite=True,
        mark_read=True,
    )
    article = arrive(
        ArticleFactory(user=user, status="fetching"),
        "<p>x</p>",
        "X",
        capture=django_capture_on_commit_callbacks,
    )
    assert sorted(e[0] for e in events) == ["article.archived", "article.favorited", "article.ready"]
    assert Rule.objects.get().match_count == 1
    assert article.read_at is not None and tag_names(article) == ["seen"]


def test_disabled_rules_and_other_peoples_rules_do_not_run(
    user, other_user, django_capture_on_commit_callbacks
):
    make_rule(user, "Off", {"url_contains": "example"}, add_tags=["off"], enabled=False)
    make_rule(other_user, "Theirs", {"url_contains": "example"}, add_tags=["theirs"])
    article = arrive(
        ArticleFactory(user=user, status="fetching"),
        "<p>x</p>",
        "X",
        capture=django_capture_on_commit_callbacks,
    )
    assert tag_names(article) == []


# --- over the library ---------------------------------------------------------------------------------------


def test_applying_to_the_existing_library_counts_and_acts(user, other_user, settings):
    settings.FOLIO_IMPORT_QUEUE = "unused"  # the run is executed here, not by a worker
    rust = [ArticleFactory(user=user, ready=True, title=f"Rust note {i}") for i in range(3)]
    other = [ArticleFactory(user=user, ready=True, title=f"Cooking {i}") for i in range(4)]
    ArticleFactory(user=user, title="Rust queued")  # not ready: not checked
    ArticleFactory(user=user, ready=True, deleted=True, title="Rust deleted")
    theirs = ArticleFactory(user=other_user, ready=True, title="Rust elsewhere")
    make_rule(user, "Rust", {"title_words": "rust"}, add_tags=["rust"], archive=True)
    make_rule(user, "Cooking", {"title_words": "cooking"}, add_tags=["food"])
    assert rules.rule_preview_count(user=user, conditions={"title_words": "rust"}, match="all") == 3
    run = rules.rule_run_start(user=user)
    assert (run.total, run.done, run.status) == (7, 0, "pending")
    run = rules.rule_run_execute(run_id=run.pk)
    assert (run.status, run.total, run.done, run.matched) == ("done", 7, 7, 7)
    assert all(tag_names(a) == ["rust"] for a in rust)
    assert Article.objects.filter(pk__in=[a.pk for a in rust], is_archived=True).count() == 3
    assert all(tag_names(a) == ["food"] for a in other)
    assert tag_names(theirs) == []
    assert dict(Rule.objects.filter(user=user).values_list("name", "match_count")) == {
        "Rust": 3,
        "Cooking": 4,
    }
    assert rules.rule_run_execute(run_id=run.pk) is None  # a finished run is not run again


def test_a_run_of_one_rule_and_a_run_without_rules(user):
    with pytest.raises(RuleError, match="no enabled rule"):
        rules.rule_run_start(user=user)
    rule = make_rule(user, "Only", {"site": "example.com"}, add_tags=["x"])
    ArticleFactory(user=user, ready=True)
    run = rules.rule_run_start(user=user, rule_id=rule.pk)
    run = rules.rule_run_execute(run_id=run.pk)
    assert run.rule == rule and run.matched == 1
    assert RuleRun.objects.get().status == "done"
