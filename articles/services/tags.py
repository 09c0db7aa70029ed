"""Tags: finding or creating them by name, setting an article's tags, renaming, merging and deleting.

One door per operation for every face (pages, Folio's API, the wallabag API, imports). Names are unique per
person ignoring case (the model's ``tag_unique_name_per_user`` on ``Lower(name)``), and every lookup by
name goes through that index.

Rule (the same on every face): **renaming a tag onto a name another of the person's tags has merges the
two** into that tag; the page says "Merged into “name”", the API answers 200 with the merged tag (not 409).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Lower
from django.utils.translation import gettext

from ..errors import ArticleError, ConflictError, TagNotFound
from ..limits import TAG_NAME_MAX_LENGTH
from ..models import Article, Tag


def clean_tag_names(names: Iterable[str]) -> list[str]:
    """Strip, collapse white space and de-duplicate (case-insensitively) tag names, keeping their order;
    blank names are dropped.

    Raises ArticleError for a name longer than TAG_NAME_MAX_LENGTH (100) characters.
    """
    seen: set[str] = set()
    result: list[str] = []
    for raw in names:
        name = " ".join(str(raw).split())
        if not name:
            continue
        if len(name) > TAG_NAME_MAX_LENGTH:
            raise ArticleError(
                gettext("A tag name can have at most %(max)d characters.") % {"max": TAG_NAME_MAX_LENGTH}
            )
        if name.lower() not in seen:
            seen.add(name.lower())
            result.append(name)
    return result


def _by_lower_name(user: User, names: list[str]) -> dict[str, Tag]:
    """The user's tags whose lower-cased name is one of ``names`` lower-cased, by ``name.lower()``: one
    query on the (Lower(name), user) unique index."""
    found = (
        Tag.objects.annotate(name_lower=Lower("name"))
        .filter(user=user, name_lower__in=[n.lower() for n in names])
        .order_by()
    )
    return {tag.name.lower(): tag for tag in found}


def _same_name(user: User, name: str):
    """The user's tags equal to ``name`` as the unique constraint sees it (the database's own lower()), so a
    name the database lower-cases differently from Python (SQLite and PostgreSQL's C locale lower ASCII
    only) still finds its row."""
    return Tag.objects.annotate(name_lower=Lower("name")).filter(user=user, name_lower=Lower(Value(name)))


def _get_or_create_one(user: User, name: str) -> Tag:
    tag = _same_name(user, name).first()
    if tag is None:
        try:
            with transaction.atomic():
                tag = Tag.objects.create(user=user, name=name)
        except IntegrityError:  # created concurrently
            tag = _same_name(user, name).get()
    return tag


def tag_get_or_create_many(*, user: User, names: Iterable[str]) -> list[Tag]:
    """The user's tags with these names (matched ignoring case), creating the missing ones, in the order of
    ``names`` (cleaned by clean_tag_names). Three queries whatever the number of names: one read, one bulk
    insert of the missing ones (a name created concurrently is skipped by the unique constraint), one read
    of those; a name the database lower-cases differently from Python costs one more lookup of its own.
    Raises ArticleError for a name over TAG_NAME_MAX_LENGTH characters.
    """
    wanted = clean_tag_names(names)
    if not wanted:
        return []
    tags = _by_lower_name(user, wanted)
    missing = [name for name in wanted if name.lower() not in tags]
    if missing:
        Tag.objects.bulk_create([Tag(user=user, name=name) for name in missing], ignore_conflicts=True)
        tags.update(_by_lower_name(user, missing))
    for name in wanted:
        if name.lower() not in tags:
            tags[name.lower()] = _get_or_create_one(user, name)
    return [tags[name.lower()] for name in wanted]


def article_tags_set(*, article: Article, names: Iterable[str], replace: bool = False) -> list[Tag]:
    """Add the named tags (created on the fly) to ``article``, or with ``replace`` make them its only tags.

    ``article`` must already be scoped to its owner by the caller (a service). Returns the tags named.
    Raises ArticleError for a name over TAG_NAME_MAX_LENGTH characters.
    """
    tags = tag_get_or_create_many(user=article.user, names=names)
    if replace:
        article.tags.set(tags)
    elif tags:
        article.tags.add(*tags)
    return tags


def _tag(user: User, pk: int) -> Tag:
    try:
        tag = Tag.objects.filter(user=user, pk=int(pk)).first()
    except (TypeError, ValueError):
        tag = None
    if tag is None:
        raise TagNotFound()
    return tag


@transaction.atomic
def tag_merge(*, user: User, source_ids: Iterable[int], target_id: int) -> Tag:
    """Move every article of the user's tags ``source_ids`` to the user's tag ``target_id`` and delete the
    sources. Returns the target tag.

    Three statements whatever the number of articles: read the links to move, insert the missing ones,
    delete the sources. Ids of other people's tags are ignored. Raises TagNotFound for an unknown target,
    ConflictError when the only source is the target itself.
    """
    target = _tag(user, target_id)
    requested = {int(s) for s in source_ids}
    if requested == {target.pk}:
        raise ConflictError(gettext("A tag cannot be merged into itself."))
    sources = list(
        Tag.objects.filter(user=user, pk__in=requested).exclude(pk=target.pk).values_list("pk", flat=True)
    )
    if not sources:
        return target
    through = Article.tags.through
    article_ids = set(through.objects.filter(tag_id__in=sources).values_list("article_id", flat=True))
    already = set(
        through.objects.filter(tag=target, article_id__in=article_ids).values_list("article_id", flat=True)
    )
    links = [through(article_id=a, tag_id=target.pk) for a in sorted(article_ids - already)]
    through.objects.bulk_create(links, ignore_conflicts=True)
    Tag.objects.filter(pk__in=sources).delete()
    return target


@transaction.atomic
def tag_rename(*, user: User, pk: int, name: str) -> Tag:
    """Rename the user's tag ``pk`` to ``name`` (white space collapsed). Returns the tag that now carries
    the name: when another of the user's tags already has it (ignoring case), the two are merged into that
    one (tag_merge) and that tag is returned, so ``result.pk != pk`` tells a face it merged.

    Raises TagNotFound for an unknown tag, ArticleError for a blank name or one over
    TAG_NAME_MAX_LENGTH characters.
    """
    names = clean_tag_names([name])
    if not names:
        raise ArticleError(gettext("A tag needs a name."))
    tag = _tag(user, pk)
    other = _same_name(user, names[0]).exclude(pk=tag.pk).first()
    if other is not None:
        return tag_merge(user=user, source_ids=[tag.pk], target_id=other.pk)
    tag.name = names[0]
    tag.save(update_fields=["name"])
    return tag


def tag_delete(*, user: User, pk: int) -> None:
    """Delete the user's tag ``pk``; its articles stay, without it. Raises TagNotFound."""
    deleted, _ = Tag.objects.filter(user=user, pk=_tag(user, pk).pk).delete()
    if not deleted:
        raise TagNotFound()
