"""Tagging rules: managing them, running them on an article that became ready, and over a whole library.

Rules run in ``position`` order. For each article, every enabled rule whose conditions hold (see
automation.conditions) records a match and has its actions applied, until a matching rule has ``stop``
set. Actions go through ``articles.services`` only (tags: ``article_tag_bulk``; marks:
``article_archive_bulk``, ``article_favorite_bulk``, ``article_read_bulk``), so they emit their own events
(``article.archived``, ``article.favorited``), never ``article.ready``: rules cannot trigger rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.errors import ArticleError
from articles.models import Article
from articles.services import (
    article_archive_bulk,
    article_favorite_bulk,
    article_read_bulk,
    article_tag_bulk,
    enqueue,
)
from articles.services.events import batch_memo
from articles.services.tags import clean_tag_names

from ..conditions import Facts, clean_conditions, matches, needs_text
from ..models import Rule, RuleRun

RULE_RUN_TASK = "automation.tasks.rule_run_task"
#: Articles read, checked and acted on per step of a library run (one progress update per step).
RUN_CHUNK = 500
#: Most tags one rule adds.
RULE_TAGS_MAX = 20
#: Columns the conditions read (``content_text`` only when a rule looks at the text).
FACT_FIELDS = ("id", "url", "final_url", "site_name", "title", "language", "reading_time_minutes", "origin")


class RuleError(ValueError):
    """A rule that cannot be stored; ``message`` is shown to the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class RuleFields:
    """What a person sets on a rule (see Rule)."""

    name: str
    conditions: Mapping[str, object]
    match: str = Rule.Match.ALL
    add_tags: Iterable[str] = ()
    archive: bool = False
    favorite: bool = False
    mark_read: bool = False
    stop: bool = False
    enabled: bool = True


def _clean(fields: RuleFields) -> dict[str, object]:
    from ..conditions import ConditionError

    name = " ".join(str(fields.name).split())
    if not name:
        raise RuleError(_("A rule needs a name."))
    if len(name) > 200:
        raise RuleError(_("A rule's name can have at most 200 characters."))
    if fields.match not in Rule.Match.values:
        raise RuleError(_("Match is “all” or “any”."))
    try:
        conditions = clean_conditions(fields.conditions)
    except ConditionError as exc:
        raise RuleError(exc.message) from exc
    try:
        tags = clean_tag_names(fields.add_tags)
    except ArticleError as exc:
        raise RuleError(exc.message) from exc
    if len(tags) > RULE_TAGS_MAX:
        raise RuleError(_("A rule can add at most %(n)d tags.") % {"n": RULE_TAGS_MAX})
    if not (tags or fields.archive or fields.favorite or fields.mark_read):
        raise RuleError(_("A rule needs at least one action."))
    return {
        "name": name,
        "match": fields.match,
        "conditions": conditions,
        "add_tags": tags,
        "archive": bool(fields.archive),
        "favorite": bool(fields.favorite),
        "mark_read": bool(fields.mark_read),
        "stop": bool(fields.stop),
        "enabled": bool(fields.enabled),
    }


@transaction.atomic
def rule_create(*, user: AbstractBaseUser, fields: RuleFields) -> Rule:
    """Store a new rule for ``user``, last in the order. Raises RuleError (no name, no condition or
    action, a bad condition, a tag name over 100 characters, more than RULE_TAGS_MAX tags)."""
    values = _clean(fields)
    last = Rule.objects.filter(user=user).aggregate(last=Max("position"))["last"]
    return Rule.objects.create(user=user, position=0 if last is None else last + 1, **values)


def _owned(user: AbstractBaseUser, pk: int) -> Rule:
    rule = Rule.objects.filter(user=user, pk=pk).first()
    if rule is None:
        raise Rule.DoesNotExist()
    return rule


def rule_update(*, user: AbstractBaseUser, pk: int, fields: RuleFields) -> Rule:
    """Replace the settings of the person's rule ``pk`` (its place and match count stay). Raises
    Rule.DoesNotExist for a rule that is not the person's, RuleError as rule_create."""
    rule = _owned(user, pk)
    for name, value in _clean(fields).items():
        setattr(rule, name, value)
    rule.save()
    return rule


def rule_delete(*, user: AbstractBaseUser, pk: int) -> None:
    """Delete the person's rule ``pk`` (the articles keep what it did). Raises Rule.DoesNotExist."""
    _owned(user, pk).delete()


@transaction.atomic
def rule_reorder(*, user: AbstractBaseUser, ids: Iterable[int]) -> list[Rule]:
    """Put the person's rules in the order of ``ids`` (the rules not listed follow, in their old order).
    Ids of other people's rules are ignored. Returns the rules in their new order."""
    rules = list(Rule.objects.filter(user=user).select_for_update().order_by("position", "id"))
    by_id = {r.pk: r for r in rules}
    wanted = [by_id[i] for i in dict.fromkeys(int(i) for i in ids) if i in by_id]
    ordered = wanted + [r for r in rules if r not in wanted]
    for position, rule in enumerate(ordered):
        rule.position = position
    Rule.objects.bulk_update(ordered, ["position"])
    return ordered


def rule_move(*, user: AbstractBaseUser, pk: int, offset: int) -> list[Rule]:
    """Move the person's rule ``pk`` ``offset`` places (-1: up, earlier; 1: down). Raises
    Rule.DoesNotExist."""
    rule = _owned(user, pk)
    ids = list(Rule.objects.filter(user=user).order_by("position", "id").values_list("id", flat=True))
    at = ids.index(rule.pk)
    to = max(0, min(len(ids) - 1, at + offset))
    ids.insert(to, ids.pop(at))
    return rule_reorder(user=user, ids=ids)


def _candidates(user: AbstractBaseUser | int, with_text: bool):
    fields = (*FACT_FIELDS, "content_text") if with_text else FACT_FIELDS
    return (
        Article.objects.filter(user=user, deleted_at__isnull=True, status=Article.Status.READY)
        .only(*fields)
        .order_by("id")
    )


def rule_preview_count(*, user: AbstractBaseUser, conditions: Mapping[str, object], match: str) -> int:
    """How many of the person's ready articles meet ``conditions`` now (cleaned first; raises RuleError
    for bad ones). Reads the library in chunks of RUN_CHUNK; checks in Python, as arrival does."""
    from ..conditions import ConditionError

    try:
        clean = clean_conditions(conditions)
    except ConditionError as exc:
        raise RuleError(exc.message) from exc
    with_text = needs_text(clean)
    return sum(
        1
        for article in _candidates(user, with_text).iterator(chunk_size=RUN_CHUNK)
        if matches(clean, match, Facts.of(article, with_text=with_text))
    )


def _evaluate(rules: list[Rule], articles: Iterable[Article], with_text: bool) -> dict[int, list[int]]:
    """``{rule id: [article ids it matched]}``, honouring the order and ``stop``."""
    hits: dict[int, list[int]] = {r.pk: [] for r in rules}
    for article in articles:
        facts = Facts.of(article, with_text=with_text)
        for rule in rules:
            if matches(rule.conditions, rule.match, facts):
                hits[rule.pk].append(article.pk)
                if rule.stop:
                    break
    return hits


def _apply(user: AbstractBaseUser, rules: list[Rule], hits: dict[int, list[int]]) -> None:
    """Apply each rule's actions to its matched articles, in rule order, through articles.services, and
    count the matches."""
    now = timezone.now()
    for rule in rules:
        ids = hits.get(rule.pk) or []
        if not ids:
            continue
        if rule.add_tags:
            article_tag_bulk(user=user, ids=ids, names=rule.add_tags)
        if rule.archive:
            article_archive_bulk(user=user, ids=ids)
        if rule.favorite:
            article_favorite_bulk(user=user, ids=ids)
        if rule.mark_read:
            article_read_bulk(user=user, ids=ids)
        Rule.objects.filter(pk=rule.pk).update(match_count=F("match_count") + len(ids), last_matched_at=now)


def rules_run_on_arrival(*, user_id: int, article_id: int) -> list[int]:
    """Run the person's enabled rules on article ``article_id``, which just became ready (the
    ``article.ready`` receiver). Returns the ids of the rules that matched, in order. Two queries when the
    person has no rule (one per bulk emission: events.batch_memo)."""
    if not batch_memo(
        ("automation.has_rules", user_id), Rule.objects.filter(user_id=user_id, enabled=True).exists
    ):
        return []
    rules = list(Rule.objects.filter(user_id=user_id, enabled=True).order_by("position", "id"))
    if not rules:
        return []
    with_text = any(needs_text(r.conditions) for r in rules)
    article = _candidates(user_id, with_text).filter(pk=article_id).first()
    if article is None:
        return []
    hits = _evaluate(rules, [article], with_text)
    user = get_user_model().objects.get(pk=user_id)
    with transaction.atomic():
        _apply(user, rules, hits)
    return [r.pk for r in rules if hits[r.pk]]


def rule_run_start(*, user: AbstractBaseUser, rule_id: int | None = None) -> RuleRun:
    """Start applying the person's rules (every enabled one, or only ``rule_id``) to their whole library
    in the background; returns the run (``total`` set; poll ``done``). Raises Rule.DoesNotExist for a rule
    that is not the person's, RuleError when there is no enabled rule to apply."""
    rule = _owned(user, rule_id) if rule_id is not None else None
    if rule is None and not Rule.objects.filter(user=user, enabled=True).exists():
        raise RuleError(_("There is no enabled rule to apply."))
    total = _candidates(user, False).count()
    run = RuleRun.objects.create(user=user, rule=rule, total=total)
    run_id = run.pk
    transaction.on_commit(lambda: _send(run_id))
    return run


#: ``error`` of a pending run whose task could not be sent (the broker was down): the sweep sends it.
UNSENT = "Waiting for Folio's queue, which was unavailable; it will start shortly."


def _send(run_id: int) -> bool:
    if enqueue.task_send(RULE_RUN_TASK, [run_id], queue=settings.FOLIO_IMPORT_QUEUE):
        return True
    RuleRun.objects.filter(pk=run_id, status=RuleRun.Status.PENDING).update(error=UNSENT)
    return False


def rule_run_requeue_unsent() -> int:
    """Send again the library runs whose task could not be sent (marked UNSENT); the periodic sweep
    calls it. Returns how many were sent."""
    sent = 0
    for run_id in RuleRun.objects.filter(status=RuleRun.Status.PENDING, error=UNSENT).values_list(
        "id", flat=True
    ):
        RuleRun.objects.filter(pk=run_id).update(error="")
        sent += _send(run_id)
    return sent


def rule_run_execute(*, run_id: int) -> RuleRun | None:
    """Do one library run (the task's body): read the library by id in chunks of RUN_CHUNK, check the
    rules, apply their actions and save the progress after each chunk. Safe to run again after a crash:
    it goes on after the last article done (actions already applied are no-ops: tags are added once,
    marks are states). Returns the run, None if unknown or already finished."""
    run = RuleRun.objects.filter(pk=run_id).select_related("rule", "user").first()
    if run is None or run.status in (RuleRun.Status.DONE, RuleRun.Status.FAILED):
        return None
    user = run.user
    rules = [run.rule] if run.rule is not None else list(Rule.objects.filter(user=user, enabled=True))
    rules.sort(key=lambda r: (r.position, r.pk))
    with_text = any(needs_text(r.conditions) for r in rules)
    RuleRun.objects.filter(pk=run.pk).update(status=RuleRun.Status.RUNNING)
    last_id = run.last_article_id
    done, matched = run.done, run.matched
    while True:
        chunk = list(_candidates(user, with_text).filter(id__gt=last_id)[:RUN_CHUNK])
        if not chunk:
            break
        hits = _evaluate(rules, chunk, with_text)
        with transaction.atomic():
            _apply(user, rules, hits)
            done += len(chunk)
            matched += len({i for ids in hits.values() for i in ids})
            last_id = chunk[-1].pk
            RuleRun.objects.filter(pk=run.pk).update(done=done, matched=matched, last_article_id=last_id)
    RuleRun.objects.filter(pk=run.pk).update(
        status=RuleRun.Status.DONE, done=done, total=done, finished_at=timezone.now()
    )
    run.refresh_from_db()
    return run


def rule_run_fail(*, run_id: int, reason: str) -> None:
    """End a library run ``failed`` with ``reason`` (shown on its page)."""
    RuleRun.objects.filter(pk=run_id).update(
        status=RuleRun.Status.FAILED, error=reason, finished_at=timezone.now()
    )
