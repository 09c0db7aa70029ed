"""A person's own settings: reader settings (font, size, line height, column width, theme), saving
options (whether the bookmarklet sends the page HTML), personal API tokens, and deleting the whole account
(``account_delete``: the one path that removes a person and everything of theirs).

Every function is scoped by ``user``. Token keys are created with ``secrets`` and stored only as SHA-256
digests (``articles.tokens``); a key is shown once, at creation.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext

from ..errors import ArticleError
from ..limits import TOKEN_NAME_MAX_LENGTH
from ..models import ApiToken, Article, ArticleImage, ExportJob, Import, ReaderSettings, Tag
from ..tokens import token_digest
from . import media

logger = logging.getLogger(__name__)

#: Allowed values of the reader settings (the CSS has one class per value; no inline styles).
FONT_SIZES = tuple(range(14, 29))  # px
LINE_HEIGHTS = tuple(round(1.2 + i / 10, 1) for i in range(11))  # 1.2 .. 2.2
COLUMN_WIDTHS = tuple(range(28, 61, 2))  # em
READER_SETTINGS = (
    "font",
    "font_size",
    "line_height",
    "column_width",
    "theme",
    "offline_articles",
    "language",
)
#: Most unread articles the installed app may keep for offline reading (issue 12).
OFFLINE_ARTICLES_MAX = 500


def reader_settings_get(*, user: User) -> ReaderSettings:
    """The person's ReaderSettings row, created with the defaults on first use."""
    row, _created = ReaderSettings.objects.get_or_create(user=user)
    return row


def reader_settings_update(*, user: User, **values: object) -> ReaderSettings:
    """Store the user's reader settings: any of ``font`` (ReaderSettings.Font), ``font_size`` (px, one of
    FONT_SIZES), ``line_height`` (one of LINE_HEIGHTS), ``column_width`` (em, one of COLUMN_WIDTHS),
    ``theme`` (ReaderSettings.Theme), ``offline_articles`` (unread articles kept for reading offline,
    0-OFFLINE_ARTICLES_MAX), ``language`` (a code of settings.LANGUAGES, or '' to follow the browser).
    Returns the saved settings.

    Raises ArticleError for an unknown setting or a value outside its choices.
    """
    unknown = set(values) - set(READER_SETTINGS)
    if unknown:
        raise ArticleError(
            gettext("Unknown reader settings: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    allowed = {
        "font": ReaderSettings.Font.values,
        "font_size": FONT_SIZES,
        "line_height": LINE_HEIGHTS,
        "column_width": COLUMN_WIDTHS,
        "theme": ReaderSettings.Theme.values,
        "offline_articles": range(OFFLINE_ARTICLES_MAX + 1),
        "language": ["", *(code for code, _name in settings.LANGUAGES)],
    }
    for name, value in values.items():
        if value not in allowed[name]:
            raise ArticleError(
                gettext("%(value)r is not a possible value of %(name)s.")
                % {"value": value, "name": name.replace("_", " ")}
            )
    row, _ = ReaderSettings.objects.update_or_create(user=user, defaults=values)
    return row


def saving_options_update(*, user: User, send_page_html: bool) -> ReaderSettings:
    """Turn the bookmarklet's sending of the page HTML (the DOM as the browser shows it) on or off."""
    row = reader_settings_get(user=user)
    row.send_page_html = bool(send_page_html)
    row.save(update_fields=["send_page_html"])
    return row


def api_token_create(*, user: User, name: str = "API token") -> tuple[ApiToken, str]:
    """Create a token for ``user`` named ``name`` (white space collapsed, cut to 100 characters; blank:
    "API token"). Returns ``(token, key)``: the key (``folio_`` + 256 random bits, ``secrets``) is not
    stored and cannot be shown again."""
    key = "folio_" + secrets.token_urlsafe(32)
    name = " ".join(str(name).split())[:TOKEN_NAME_MAX_LENGTH] or "API token"
    token = ApiToken.objects.create(user=user, name=name, digest=token_digest(key), prefix=key[6:14])
    return token, key


def api_token_revoke(*, user: User, token_id: int) -> bool:
    """Delete the user's token ``token_id`` so its key stops working at once. False if there is none."""
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    return bool(deleted)


@dataclass(frozen=True)
class AccountDeletion:
    """What ``account_delete`` removed: rows of articles, tags and stored image files."""

    articles: int
    tags: int
    image_files: int


def account_delete(*, user: User) -> AccountDeletion:
    """Delete ``user`` and everything of theirs: articles (with their highlights, kept-image rows, raw
    HTML, share links), tags, imports (and their uploaded files), API tokens, reader settings, saved
    searches, image jobs, export jobs (and their books) and every other row that points at the user (database cascades), then, once the
    transaction has committed, the stored image files that no other person's article names any more
    (files are shared by digest, ``services.media``). Nothing of anyone else is touched.

    Returns the counts; raises nothing for a missing file (a file already gone is simply not counted).
    """
    images = set(
        ArticleImage.objects.filter(user=user, status=ArticleImage.Status.STORED)
        .values_list("digest", "content_type")
        .distinct()
    )
    import_files = [name for name in Import.objects.filter(user=user).values_list("file", flat=True) if name]
    # The EPUB books of export jobs kept for download (services/export_jobs.py) go the same way.
    import_files += [
        name for name in ExportJob.objects.filter(user=user).values_list("file", flat=True) if name
    ]
    with transaction.atomic():
        articles = Article.objects.filter(user=user).count()
        tags = Tag.objects.filter(user=user).count()
        # Articles first (their cascade holds most rows), then the user row and the rest of its cascade.
        Article.objects.filter(user=user).delete()
        Tag.objects.filter(user=user).delete()
        user.delete()
    removed = 0
    storage = media.image_storage()
    still_named = set(
        ArticleImage.objects.filter(digest__in=[digest for digest, _ in images]).values_list(
            "digest", flat=True
        )
    )
    for digest, content_type in images:
        if digest in still_named:
            continue  # another person's article holds the same image
        name = media.image_name(digest, "jpg" if content_type == "image/jpeg" else "webp")
        try:
            if storage.exists(name):
                storage.delete(name)
                removed += 1
        except OSError:
            logger.warning("Could not delete the image file %s of a deleted account", name)
    if import_files:
        from django.core.files.storage import default_storage

        for name in import_files:
            try:
                default_storage.delete(name)
            except OSError:
                logger.warning("Could not delete the import file %s of a deleted account", name)
    return AccountDeletion(articles=articles, tags=tags, image_files=removed)
