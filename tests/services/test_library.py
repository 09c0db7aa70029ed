"""Library state services: states, deletion with undo, progress, titles, tags, reader settings; all scoped."""

import pytest

from articles import services
from articles.errors import ArticleError
from articles.models import Article, ReaderSettings, Tag

pytestmark = pytest.mark.django_db


def _article(user, n, **fields):
    url = f"https://example.com/{n}"
    return Article.objects.create(user=user, url=url, url_key=url, **fields)


def test_archive_favorite_read_bulk_touch_only_own_articles(user, other_user):
    mine = [_article(user, n) for n in range(3)]
    theirs = _article(other_user, 9)
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
    article = _article(user, 1)
    services.article_read_bulk(user=user, ids=[article.pk])
    first = Article.objects.get(pk=article.pk).read_at
    assert services.article_read_bulk(user=user, ids=[article.pk]) == 0
    assert Article.objects.get(pk=article.pk).read_at == first


def test_delete_and_undo(user, other_user):
    article = _article(user, 1)
    theirs = _article(other_user, 2)
    assert services.article_delete_bulk(user=user, ids=[article.pk, theirs.pk]) == 1
    assert Article.objects.get(pk=article.pk).deleted_at is not None
    assert Article.objects.get(pk=theirs.pk).deleted_at is None
    assert services.article_restore_bulk(user=user, ids=[article.pk]) == 1
    assert Article.objects.get(pk=article.pk).deleted_at is None


def test_progress_is_clamped_and_finishing_marks_read(user, other_user):
    article = _article(user, 1)
    assert services.article_progress_set(user=user, pk=article.pk, percent=-5, paragraph=-2) is False
    article.refresh_from_db()
    assert (article.progress_percent, article.progress_paragraph) == (0.0, 0)
    assert services.article_progress_set(user=user, pk=article.pk, percent=47.5, paragraph=12) is False
    article.refresh_from_db()
    assert (article.progress_percent, article.progress_paragraph, article.read_at) == (47.5, 12, None)
    assert article.progress_updated_at is not None
    assert services.article_progress_set(user=user, pk=article.pk, percent=150, paragraph=40) is True
    article.refresh_from_db()
    assert article.progress_percent == 100 and article.read_at is not None
    assert services.article_progress_set(user=user, pk=article.pk, percent=100, paragraph=40) is False
    with pytest.raises(ArticleError):
        services.article_progress_set(user=other_user, pk=article.pk, percent=10, paragraph=1)


def test_title_set(user, other_user):
    article = _article(user, 1, title="Old")
    assert services.article_title_set(user=user, pk=article.pk, title="  New   title ") == "New title"
    assert Article.objects.get(pk=article.pk).title == "New title"
    with pytest.raises(ArticleError):
        services.article_title_set(user=user, pk=article.pk, title="   ")
    with pytest.raises(ArticleError):
        services.article_title_set(user=other_user, pk=article.pk, title="Hijack")


def test_tag_bulk_creates_tags_on_the_fly_and_is_idempotent(user, other_user, django_assert_max_num_queries):
    articles = [_article(user, n) for n in range(20)]
    theirs = _article(other_user, 99)
    Tag.objects.create(user=user, name="Python")
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
    article = _article(user, 1)
    foreign = Tag.objects.create(user=other_user, name="x")
    article.tags.add(foreign)  # cannot happen through the services; proves the scope anyway
    assert services.article_untag_bulk(user=user, ids=[article.pk], tag_ids=[foreign.pk]) == 0


def test_tag_rename_merge_delete(user, other_user):
    a, b = _article(user, 1), _article(user, 2)
    py, python, other = (Tag.objects.create(user=user, name=n) for n in ("py", "Python", "other"))
    a.tags.add(py)
    b.tags.add(py, python)
    assert services.tag_rename(user=user, pk=other.pk, name=" Later ").name == "Later"
    merged = services.tag_rename(user=user, pk=py.pk, name="python")  # an existing name: merge
    assert merged.pk == python.pk
    assert not Tag.objects.filter(pk=py.pk).exists()
    assert set(python.articles.values_list("pk", flat=True)) == {a.pk, b.pk}
    with pytest.raises(ArticleError):
        services.tag_merge(user=other_user, source_ids=[other.pk], target_id=python.pk)
    services.tag_merge(user=user, source_ids=[other.pk], target_id=python.pk)
    assert list(Tag.objects.filter(user=user).values_list("name", flat=True)) == ["Python"]
    assert services.tag_delete(user=other_user, pk=python.pk) is False
    assert services.tag_delete(user=user, pk=python.pk) is True
    assert Article.objects.filter(user=user).count() == 2


def test_reader_settings_update(user):
    settings = services.reader_settings_update(user=user, theme="dark", font="mono", font_size=22)
    assert ReaderSettings.objects.get(user=user).theme == "dark" and settings.font_size == 22
    with pytest.raises(ArticleError):
        services.reader_settings_update(user=user, send_page_html=False)
