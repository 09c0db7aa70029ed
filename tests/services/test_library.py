"""Library state services: states, deletion with undo, progress, titles, tags, reader settings; all scoped."""

import pytest

from articles import services
from articles.errors import ArticleError, ArticleNotFound, ConflictError, TagNotFound
from articles.limits import FINISHED_PERCENT
from articles.models import Article, ReaderSettings, Tag
from tests.factories import ArticleFactory, TagFactory

pytestmark = pytest.mark.django_db


def test_archive_favorite_read_bulk_touch_only_own_articles(user, other_user):
    mine = [ArticleFactory(user=user) for _ in range(3)]
    theirs = ArticleFactory(user=other_user)
    ids = [a.pk for a in mine] + [theirs.pk]
    assert services.article_archive_bulk(user=user, ids=ids, value=True) == 3
    assert services.article_favorite_bulk(user=user, ids=ids, value=True) == 3
    assert services.article_read_bulk(user=user, ids=ids, value=True) == 3
    theirs.refresh_from_db()
    assert not theirs.is_archived and not theirs.is_favorite and theirs.read_at is None
    for article in mine:
        article.refresh_from_db()
        assert article.is_archived and article.is_favorite and article.read_at is not None
    assert services.article_archive_bulk(user=user, ids=ids, value=False) == 3
    assert services.article_read_bulk(user=user, ids=[mine[0].pk], value=False) == 1
    mine[0].refresh_from_db()
    assert not mine[0].is_archived and mine[0].read_at is None and mine[0].progress_percent == 0


def test_read_keeps_the_first_read_time(user):
    article = ArticleFactory(user=user)
    services.article_read_bulk(user=user, ids=[article.pk])
    first = Article.objects.get(pk=article.pk).read_at
    assert services.article_read_bulk(user=user, ids=[article.pk]) == 0
    assert Article.objects.get(pk=article.pk).read_at == first


def test_delete_and_undo(user, other_user):
    article = ArticleFactory(user=user)
    theirs = ArticleFactory(user=other_user)
    assert services.article_delete_bulk(user=user, ids=[article.pk, theirs.pk]) == 1
    assert Article.objects.get(pk=article.pk).deleted_at is not None
    assert Article.objects.get(pk=theirs.pk).deleted_at is None
    assert services.article_restore_bulk(user=user, ids=[article.pk]) == 1
    assert Article.objects.get(pk=article.pk).deleted_at is None


def test_progress_is_clamped_and_finishing_marks_read(user, other_user):
    article = ArticleFactory(user=user)
    updated = services.article_update(user=user, pk=article.pk, progress_percent=-5, progress_paragraph=-2)
    assert (updated.progress_percent, updated.progress_paragraph) == (0.0, 0)
    services.article_update(user=user, pk=article.pk, progress_percent=47.5, progress_paragraph=12)
    article.refresh_from_db()
    assert (article.progress_percent, article.progress_paragraph, article.read_at) == (47.5, 12, None)
    assert article.progress_updated_at is not None
    services.article_update(user=user, pk=article.pk, progress_percent=150, progress_paragraph=40)
    article.refresh_from_db()
    assert article.progress_percent == 100 and article.read_at is not None
    first_read = article.read_at
    services.article_update(user=user, pk=article.pk, progress_percent=100)
    assert Article.objects.get(pk=article.pk).read_at == first_read  # the first read time is kept
    with pytest.raises(ArticleNotFound):
        services.article_update(user=other_user, pk=article.pk, progress_percent=10)
    with pytest.raises(ArticleError):
        services.article_update(user=user, pk=article.pk, progress_percent=float("nan"))


@pytest.mark.parametrize(("percent", "read"), [(97.9, False), (FINISHED_PERCENT, True), (100, True)])
def test_finished_percent_is_the_threshold(user, percent, read):
    article = ArticleFactory(user=user)
    assert services.article_update(user=user, pk=article.pk, progress_percent=percent).is_read is read


def test_explicit_unread_wins_over_finished_progress_and_resets_it(user):
    article = ArticleFactory(user=user, read=True, progress_percent=100)
    updated = services.article_update(user=user, pk=article.pk, is_read=False)
    assert updated.read_at is None and updated.progress_percent == 0
    updated = services.article_update(user=user, pk=article.pk, progress_percent=99, is_read=False)
    assert updated.read_at is None and updated.progress_percent == 99


def test_update_keeps_first_read_time_and_states(user):
    article = ArticleFactory(user=user)
    first = services.article_update(user=user, pk=article.pk, is_read=True).read_at
    assert services.article_update(user=user, pk=article.pk, is_read=True).read_at == first
    updated = services.article_update(user=user, pk=article.pk, is_archived=True, is_favorite=True)
    assert updated.is_archived and updated.is_favorite and updated.read_at == first  # archiving keeps read


def test_update_tags_replaces_them(user):
    article = ArticleFactory(user=user, tags=["old"])
    services.article_update(user=user, pk=article.pk, tags=["New", "new", " "])
    assert list(article.tags.values_list("name", flat=True)) == ["New"]


def test_title_rule_blank_refused_collapsed_and_kept(user, other_user):
    article = ArticleFactory(user=user, title="Old")
    assert services.article_update(user=user, pk=article.pk, title="  New   title ").title == "New title"
    stored = Article.objects.get(pk=article.pk)
    assert stored.title == "New title" and stored.stated_fields == ["title"]
    for bad in ("   ", "", "x" * 501):
        with pytest.raises(ArticleError):
            services.article_update(user=user, pk=article.pk, title=bad)
    assert Article.objects.get(pk=article.pk).title == "New title"
    with pytest.raises(ArticleNotFound):
        services.article_update(user=other_user, pk=article.pk, title="Hijack")
    with pytest.raises(ArticleNotFound):
        services.article_update(user=user, pk=ArticleFactory(user=user, deleted=True).pk, title="Gone")


def test_tag_bulk_creates_tags_on_the_fly_and_is_idempotent(user, other_user, django_assert_max_num_queries):
    articles = [ArticleFactory(user=user) for _ in range(20)]
    theirs = ArticleFactory(user=other_user)
    TagFactory(user=user, name="Python")
    ids = [a.pk for a in articles] + [theirs.pk]
    with django_assert_max_num_queries(12):
        tags = services.article_tag_bulk(user=user, ids=ids, names=["python", "New one", "new ONE"])
    assert [t.name for t in tags] == ["Python", "New one"]
    services.article_tag_bulk(user=user, ids=ids, names=["python"])
    assert Article.tags.through.objects.filter(article__user=user).count() == 40
    assert not theirs.tags.exists()
    removed = services.article_untag_bulk(user=user, ids=[articles[0].pk], tag_ids=[tags[0].pk])
    assert removed == 1 and list(articles[0].tags.values_list("name", flat=True)) == ["New one"]


def test_untag_ignores_other_users_tags(user, other_user):
    article = ArticleFactory(user=user)
    foreign = TagFactory(user=other_user, name="x")
    article.tags.add(foreign)  # cannot happen through the services; proves the scope anyway
    assert services.article_untag_bulk(user=user, ids=[article.pk], tag_ids=[foreign.pk]) == 0


def test_tag_rename_merge_delete(user, other_user):
    a, b = ArticleFactory(user=user), ArticleFactory(user=user)
    py, python, other = (TagFactory(user=user, name=n) for n in ("py", "Python", "other"))
    a.tags.add(py)
    b.tags.add(py, python)
    assert services.tag_rename(user=user, pk=other.pk, name=" Later ").name == "Later"
    merged = services.tag_rename(user=user, pk=py.pk, name="python")  # an existing name: merge
    assert merged.pk == python.pk
    assert not Tag.objects.filter(pk=py.pk).exists()
    assert set(python.articles.values_list("pk", flat=True)) == {a.pk, b.pk}
    with pytest.raises(TagNotFound):
        services.tag_merge(user=other_user, source_ids=[other.pk], target_id=python.pk)
    with pytest.raises(ConflictError):
        services.tag_merge(user=user, source_ids=[python.pk], target_id=python.pk)
    services.tag_merge(user=user, source_ids=[other.pk], target_id=python.pk)
    assert list(Tag.objects.filter(user=user).values_list("name", flat=True)) == ["Python"]
    with pytest.raises(TagNotFound):
        services.tag_delete(user=other_user, pk=python.pk)
    services.tag_delete(user=user, pk=python.pk)
    assert not Tag.objects.filter(user=user).exists() and Article.objects.filter(user=user).count() == 2
    with pytest.raises(ArticleError):
        services.tag_rename(user=user, pk=TagFactory(user=user).pk, name="  ")


def test_tag_get_or_create_many_is_three_queries_and_matches_any_case(user, django_assert_num_queries):
    TagFactory(user=user, name="Python")
    names = ["python", *(f"new {n}" for n in range(30)), "NEW 1"]
    with django_assert_num_queries(3):
        tags = services.tag_get_or_create_many(user=user, names=names)
    assert [t.name for t in tags][:3] == ["Python", "new 0", "new 1"] and len(tags) == 31
    assert Tag.objects.filter(user=user).count() == 31


def test_tag_names_the_database_lowers_differently_still_match(user):
    """SQLite (and PostgreSQL under the C locale) lower-case ASCII only: "Été" and "ÉTÉ" are then two names
    to the unique constraint, and the lookup must follow the database, never crash."""
    first = services.tag_get_or_create_many(user=user, names=["Été"])[0]
    assert services.tag_get_or_create_many(user=user, names=["Été", "été"]) == [first]  # one name to Python
    shouted = services.tag_get_or_create_many(user=user, names=["ÉTÉ"])[0]
    assert shouted.name.lower() == "été"
    assert services.tag_get_or_create_many(user=user, names=["ÉTÉ"]) == [shouted]
    assert services.tag_get_or_create_many(user=user, names=["Été"]) == [first]


def test_reader_settings_update(user):
    settings = services.reader_settings_update(user=user, theme="dark", font="mono", font_size=22)
    assert ReaderSettings.objects.get(user=user).theme == "dark" and settings.font_size == 22
    with pytest.raises(ArticleError):
        services.reader_settings_update(user=user, send_page_html=False)
    with pytest.raises(ArticleError):
        services.reader_settings_update(user=user, font_size=99)
    assert services.saving_options_update(user=user, send_page_html=False).send_page_html is False
