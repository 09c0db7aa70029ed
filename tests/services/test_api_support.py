"""Services behind the API and settings page: article edits, delete, tag rename/merge/delete."""

import pytest

from articles.errors import ArticleError
from articles.models import Article, Tag
from articles.services.api_support import (
    TagConflictError,
    article_delete,
    article_update,
    tag_delete,
    tag_merge,
    tag_rename,
)

pytestmark = pytest.mark.django_db


def _article(user, n):
    url = f"https://example.com/{n}"
    return Article.objects.create(user=user, url=url, url_key=url)


def test_update_keeps_first_read_time(user):
    article = _article(user, 1)
    article_update(article=article, is_read=True)
    first = article.read_at
    article_update(article=article, is_read=True)
    assert article.read_at == first
    article_update(article=article, is_read=False)
    assert Article.objects.get(pk=article.pk).read_at is None


def test_update_refuses_out_of_range_values(user):
    article = _article(user, 1)
    with pytest.raises(ArticleError):
        article_update(article=article, progress_percent=-1)
    with pytest.raises(ArticleError):
        article_update(article=article, title="x" * 501)


def test_update_tags_replaces_them(user):
    article = _article(user, 1)
    article.tags.add(Tag.objects.create(user=user, name="old"))
    article_update(article=article, tags=["New", "new", " "])
    assert [t.name for t in article.tags.all()] == ["New"]


def test_merge_keeps_articles_that_had_both_tags_once(user):
    both, only_source = _article(user, 1), _article(user, 2)
    source, target = Tag.objects.create(user=user, name="src"), Tag.objects.create(user=user, name="dst")
    both.tags.add(source, target)
    only_source.tags.add(source)
    tag_merge(source=source, target=target)
    assert list(both.tags.values_list("name", flat=True)) == ["dst"]
    assert list(only_source.tags.values_list("name", flat=True)) == ["dst"]
    assert not Tag.objects.filter(name="src").exists()


def test_merge_refuses_other_users_and_itself(user, other_user):
    mine, theirs = Tag.objects.create(user=user, name="a"), Tag.objects.create(user=other_user, name="b")
    with pytest.raises(ArticleError):
        tag_merge(source=mine, target=theirs)
    with pytest.raises(TagConflictError):
        tag_merge(source=mine, target=mine)
    assert Tag.objects.count() == 2


def test_rename_conflict_is_case_insensitive_and_other_users_do_not_count(user, other_user):
    Tag.objects.create(user=other_user, name="Shared")
    python = Tag.objects.create(user=user, name="python")
    Tag.objects.create(user=user, name="Go")
    with pytest.raises(TagConflictError):
        tag_rename(tag=python, name="go")
    assert tag_rename(tag=python, name="shared").name == "shared"
    assert tag_rename(tag=python, name="Shared").name == "Shared"  # its own name in another case
    with pytest.raises(ArticleError):
        tag_rename(tag=python, name="   ")


def test_delete_article_and_tag(user):
    article = _article(user, 1)
    tag = Tag.objects.create(user=user, name="t")
    article.tags.add(tag)
    tag_delete(tag=tag)
    assert Article.objects.get(pk=article.pk).tags.count() == 0
    article_delete(article=article)
    assert Article.objects.get(pk=article.pk).deleted_at is not None
