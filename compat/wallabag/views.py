"""The wallabag v2 API's endpoints (wallabag's src/Controller/Api/*RestController.php), answered from
Folio's library.

Each view parses the request as wallabag does (form, multipart or JSON bodies; ``0``/``1`` flags; tags as
a comma-separated string or a list), reads through ``entries`` (scoped by the token's user: anyone else's
entry is 404) and writes only through ``articles.services``. Errors keep wallabag's shape: 401
``{"error", "error_description"}`` from the OAuth layer (FOSOAuthServerBundle's messages), and the same
two keys for 400 and 404, which wallabag-client and KOReader read.
"""

from __future__ import annotations

import json
import math
from urllib.parse import urlencode

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.text import get_valid_filename
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework import exceptions, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from articles import sanitizing, services
from articles.errors import ArticleError, NotFoundError, PageTooLargeError, SaveRateExceeded
from articles.models import Article
from articles.queries import tag_list_counted
from articles.services import exporting
from articles.services.saving import clean_metadata

from . import entries
from .render import annotation_json, api_version, entry_json, tag_json, wallabag_date

#: Largest ``perPage`` answered (wallabag has none; wallabag-client asks for sys.maxsize entries).
MAX_PER_PAGE = 1000


class WallabagAuthentication(OAuth2Authentication):
    """django-oauth-toolkit's bearer-token authentication (the ``Authorization: Bearer`` header; a token in
    the query string, which FOSOAuthServerBundle also took, is refused as RFC 9700 §4.3.2 advises)."""


def _error(code: int, error: str, description: str) -> Response:
    return Response({"error": error, "error_description": description}, status=code)


def wallabag_exception_handler(exc, context):
    """Errors in wallabag's shape: a missing token is FOSOAuthServerBundle's ``access_denied`` "OAuth2
    authentication required"; an expired or unknown token its ``invalid_grant`` "The access token
    provided has expired." / "... is invalid."; domain errors 400/404/413."""
    request = context.get("request")
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        oauth_error = getattr(request, "oauth2_error", None) or {}
        description = str(oauth_error.get("error_description", ""))
        if not oauth_error:
            response = _error(401, "access_denied", "OAuth2 authentication required")
        elif "expired" in description:
            response = _error(401, "invalid_grant", "The access token provided has expired.")
        else:
            response = _error(401, "invalid_grant", "The access token provided is invalid.")
        response["WWW-Authenticate"] = 'Bearer realm="Service"'
        return response
    if isinstance(exc, SaveRateExceeded):
        response = _error(429, "too_many_requests", exc.message)
        response["Retry-After"] = str(exc.retry_after)
        return response
    if isinstance(exc, PageTooLargeError):
        return _error(413, "page_too_large", exc.message)
    if isinstance(exc, NotFoundError | exceptions.NotFound):
        return _error(404, "not_found", getattr(exc, "message", "") or "Not Found")
    if isinstance(exc, ArticleError):
        return _error(400, "invalid_request", exc.message)
    if isinstance(exc, exceptions.APIException):
        return _error(exc.status_code, str(exc.default_code), str(exc.detail))
    return None


class AnyAcceptNegotiation(BaseContentNegotiation):
    """Answer JSON (or the export's own type) whatever ``Accept`` says, as wallabag does: e-reader
    clients send ``Accept`` values DRF would otherwise refuse with 406 (an EPUB download asking for
    ``application/epub+zip``)."""

    def select_parser(self, request, parsers):
        for parser in parsers:
            if request.content_type.startswith(parser.media_type.split(";")[0]):
                return parser
        return None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class WallabagApi(APIView):
    """Base of the wallabag endpoints: OAuth2 bearer tokens only, wallabag's bodies and errors."""

    content_negotiation_class = AnyAcceptNegotiation
    authentication_classes = [WallabagAuthentication]
    permission_classes = [IsAuthenticated]
    schema = None  # wallabag's API is documented by wallabag; Folio's OpenAPI schema covers Folio's API
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_exception_handler(self):
        return wallabag_exception_handler


# --- request parsing, as wallabag's controllers read values ------------------------------------------


def _flag(value) -> bool | None:
    """wallabag's ``(bool) $value`` on a request value: None when absent; "0", "", "false" are false."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    return str(value).strip().lower() not in ("", "0", "false")


def _int(value, default: int) -> int:
    """Symfony's ``getInt``: the leading integer, else ``default``."""
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def _labels(value) -> list[str]:
    """Tag labels from a comma-separated string (wallabag) or a list (JSON clients)."""
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    return [" ".join(str(v).split()) for v in items if str(v).strip()]


def _data(request: Request) -> dict:
    """The body's values (the last of repeated form values; lists kept for ``tags``/``authors``)."""
    data = request.data
    if hasattr(data, "getlist"):
        values = {key: data.get(key) for key in data}
        for key in ("tags", "tags[]", "authors", "authors[]"):
            if key in data and len(data.getlist(key)) > 1:
                values[key.removesuffix("[]")] = data.getlist(key)
        return values
    return dict(data) if isinstance(data, dict) else {}


def _metadata(data: dict) -> dict:
    """The stated metadata of a POST/PATCH (wallabag's language, preview_picture, published_at, authors);
    checked by saving.clean_metadata (ArticleError for a bad date or picture address)."""
    authors = data.get("authors")
    if isinstance(authors, list | tuple):
        authors = ", ".join(str(a).strip() for a in authors if str(a).strip())
    return clean_metadata(
        {
            "language": data.get("language"),
            "lead_image": data.get("preview_picture"),
            "published": data.get("published_at"),
            "author": authors,
        }
    )


def _entry(request: Request, pk) -> Response:
    detail = str(request.query_params.get("detail", "full")).lower()
    if detail not in ("full", "metadata"):
        raise ArticleError(f'Detail "{detail}" parameter is wrong, allowed: full or metadata')
    return Response(entry_json(entries.entry_get(request.user, pk), full=detail == "full"))


# --- information ----------------------------------------------------------------------------------------


class VersionApi(WallabagApi):
    """``GET /api/version``: the version string (JSON), open as in wallabag."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        return Response(api_version())


class InfoApi(WallabagApi):
    """``GET /api/info``: ``appname``, ``version``, ``allowed_registration`` (false: Folio's accounts are
    made by its operator)."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        return Response({"appname": "wallabag", "version": api_version(), "allowed_registration": False})


class UserApi(WallabagApi):
    """``GET /api/user``: the token's user as wallabag's ``user_api`` group shows it."""

    def get(self, request: Request) -> Response:
        user = request.user
        date = wallabag_date
        return Response(
            {
                "id": user.pk,
                "username": user.get_username(),
                "email": user.email,
                "name": user.get_full_name(),
                "created_at": date(user.date_joined),
                "updated_at": date(user.last_login or user.date_joined),
            }
        )


# --- entries --------------------------------------------------------------------------------------------


class EntriesApi(WallabagApi):
    """``GET /api/entries``: the paginated list (``page``, ``limit``, ``pages``, ``total``, ``_links``,
    ``_embedded.items``). ``POST /api/entries``: save a URL (or, with ``content``, the page the client
    sent: extracted like the bookmarklet's page, never fetched)."""

    def get(self, request: Request) -> Response:
        q = request.query_params
        page = max(1, _int(q.get("page"), 1))
        per_page = min(MAX_PER_PAGE, max(1, _int(q.get("perPage"), 30)))
        tags = q.get("tags", "")
        detail = str(q.get("detail", "full")).lower()
        if detail not in ("full", "metadata"):
            raise ArticleError(f'Detail "{detail}" parameter is wrong, allowed: full or metadata')
        queryset = entries.entries_list(
            request.user,
            archive=_flag(q.get("archive")),
            starred=_flag(q.get("starred")),
            public=_flag(q.get("public")),
            sort=str(q.get("sort", "created")).lower(),
            order=str(q.get("order", "desc")).lower(),
            tags=_labels(tags),
            since=max(0, _int(q.get("since"), 0)),
            domain_name=str(q.get("domain_name", "")),
        )
        total = queryset.count()
        pages = max(1, math.ceil(total / per_page))
        if page > pages:
            # Pagerfanta's OutOfRangeCurrentPageException: wallabag answers 404.
            raise NotFoundError(
                f'Page "{page}" does not exist. The currentPage must be inferior to "{pages}"'
            )
        rows = list(queryset[(page - 1) * per_page : page * per_page])
        params = {k: v for k, v in q.items() if k not in ("page", "perPage", "access_token")}

        def link(number: int) -> dict:
            query = urlencode({**params, "page": number, "perPage": per_page})
            return {"href": request.build_absolute_uri(f"{request.path}?{query}")}

        links = {"self": link(page), "first": link(1), "last": link(pages)}
        if page < pages:
            links["next"] = link(page + 1)
        if page > 1:
            links["previous"] = link(page - 1)
        full = detail == "full"
        return Response(
            {
                "page": page,
                "limit": per_page,
                "pages": pages,
                "total": total,
                "_links": links,
                "_embedded": {"items": [entry_json(a, full=full) for a in rows]},
            }
        )

    def post(self, request: Request) -> Response:
        data = _data(request)
        url = str(data.get("url") or "").strip()
        if not url:
            raise ArticleError("The url is missing.")
        archive, starred = _flag(data.get("archive")), _flag(data.get("starred"))
        metadata = _metadata(data)
        title = str(data.get("title") or "").strip()
        if title:
            metadata["title"] = title
        common = {
            "user": request.user,
            "url": url,
            "tags": _labels(data.get("tags")),
            "origin": Article.Origin.APP,
            "metadata": metadata,
            "is_archived": archive,
            "is_favorite": starred,
            # wallabag's archive is "read": archiving through it marks read, un-archiving unread.
            "is_read": archive,
        }
        content = data.get("content")
        if content and str(content).strip():
            article, _created = services.article_save_page(html=str(content), **common)
        else:
            article, _created = services.article_save_url(**common)
        return Response(entry_json(entries.entry_get(request.user, article.pk)))


class EntryExistsApi(WallabagApi):
    """``GET /api/entries/exists``: ``url`` / ``hashed_url`` -> ``{"exists": bool}`` (the id with
    ``return_id=1``); ``urls[]`` / ``hashed_urls[]`` -> ``{address or hash: bool or id}``."""

    def get(self, request: Request) -> Response:
        q = request.query_params
        return_id = bool(_flag(q.get("return_id")))
        url, hashed_url = q.get("url", ""), q.get("hashed_url", "")
        urls = [u for u in q.getlist("urls[]") + q.getlist("urls") if u]
        hashed = [h for h in q.getlist("hashed_urls[]") + q.getlist("hashed_urls") if h]
        if url:
            urls.append(url)
        if hashed_url:
            hashed.append(hashed_url)
        if not urls and not hashed:
            # wallabag: createAccessDeniedException('URL is empty?...').
            return _error(403, "access_denied", "URL is empty?")
        found = entries.entries_exist(request.user, urls=urls, hashed=hashed)
        results = {key: (value if return_id else value is not None) for key, value in found.items()}
        if url or hashed_url:
            key = url or hashed_url.lower()
            return Response({"exists": results[key]})
        return Response(results)


class EntryApi(WallabagApi):
    """``GET``, ``PATCH``, ``DELETE /api/entries/{id}`` on one of the user's entries."""

    def get(self, request: Request, pk: str) -> Response:
        return _entry(request, pk)

    def patch(self, request: Request, pk: str) -> Response:
        article = entries.entry_get(request.user, pk)
        data = _data(request)
        content = data.get("content")
        if content and str(content).strip():
            # wallabag: the client replaces the content; Folio extracts from it as from a sent page.
            services.article_save_page(
                user=request.user,
                url=article.url,
                html=str(content),
                origin=Article.Origin.APP,
                # a new content is no new save: the entry keeps its states (saving again would reset them)
                is_archived=article.is_archived,
                is_favorite=article.is_favorite,
                is_read=article.is_read,
            )
        archive = _flag(data.get("archive"))
        tags = _labels(data.get("tags"))
        title = str(data.get("title") or "").strip()
        services.article_update(
            user=request.user,
            pk=article.pk,
            title=title or None,
            tags=tags or None,  # wallabag replaces the tags only when some are sent
            is_archived=archive,
            is_read=archive,
            is_favorite=_flag(data.get("starred")),
            metadata=_metadata(data) or None,
        )
        return _entry(request, pk)

    def delete(self, request: Request, pk: str) -> Response:
        article = entries.entry_get(request.user, pk)  # wallabag loads the entry first: 404 before 400
        expect = request.query_params.get("expect", "entry")
        if expect not in ("id", "entry"):
            raise ArticleError(f"expect: 'id' or 'entry' expected, {expect} given")
        body = {"id": article.pk} if expect == "id" else entry_json(article)
        services.article_delete_bulk(user=request.user, ids=[article.pk])
        return Response(body)


class EntryReloadApi(WallabagApi):
    """``PATCH /api/entries/{id}/reload``: fetch and extract again. Folio does it in the background, so
    the answer is the entry as it is now (queued)."""

    def patch(self, request: Request, pk: str) -> Response:
        article = entries.entry_get(request.user, pk)
        services.article_retry(user=request.user, ids=[article.pk])
        return _entry(request, pk)


#: Export formats: wallabag's name -> (content type, extension). Folio's exporting service writes them.
EXPORTS = {
    "epub": ("application/epub+zip", "epub"),
    "json": ("application/json", "json"),
    "csv": ("application/csv", "csv"),
    "md": ("text/markdown; charset=utf-8", "md"),
    "txt": ("text/plain; charset=utf-8", "txt"),
    "html": ("text/html; charset=utf-8", "html"),
}


class EntryExportApi(WallabagApi):
    """``GET /api/entries/{id}/export.{format}``: epub, json, csv (Folio's writers), md (one Markdown
    file with front matter), txt (the text), html (the sanitized article as a page)."""

    def get(self, request: Request, pk: str, fmt: str) -> HttpResponse:
        fmt = fmt.lower()
        if fmt == "markdown":
            fmt = "md"
        if fmt not in EXPORTS:
            raise NotFoundError(f"Format {fmt} is not supported.")
        article = entries.entry_get(request.user, pk)
        articles = exporting.export_articles(user=request.user, ids=[article.pk])
        title = article.title or article.url
        if fmt == "md":
            body = exporting.article_markdown(articles.get()).encode("utf-8")
        elif fmt == "txt":
            body = f"{title}\n\n{article.content_text}\n".encode()
        elif fmt == "html":
            body = render_to_string(
                "compat/wallabag_export.html",
                {"article": article, "content": sanitizing.clean(article.content_html, article.url)},
            ).encode("utf-8")
        else:
            body = exporting.export_render(articles, fmt, title=title)
        content_type, extension = EXPORTS[fmt]
        response = HttpResponse(body, content_type=content_type)
        name = get_valid_filename(title)[:100] or "entry"
        response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
        return response


# --- tags -----------------------------------------------------------------------------------------------


class EntryTagsApi(WallabagApi):
    """``GET /api/entries/{id}/tags``: the entry's tags. ``POST``: add ``tags`` (labels), answer the
    entry."""

    def get(self, request: Request, pk: str) -> Response:
        article = entries.entry_get(request.user, pk)
        return Response([tag_json(t) for t in article.tag_rows])

    def post(self, request: Request, pk: str) -> Response:
        article = entries.entry_get(request.user, pk)
        labels = _labels(_data(request).get("tags"))
        if labels:
            services.article_tag_bulk(user=request.user, ids=[article.pk], names=labels)
        return _entry(request, pk)


class EntryTagApi(WallabagApi):
    """``DELETE /api/entries/{id}/tags/{tag id}``: remove one tag from the entry, answer the entry."""

    def delete(self, request: Request, pk: str, tag: str) -> Response:
        article = entries.entry_get(request.user, pk)
        if not any(str(t.pk) == tag for t in article.tag_rows):
            raise NotFoundError("Tag not found")
        services.article_untag_bulk(user=request.user, ids=[article.pk], tag_ids=[int(tag)])
        return _entry(request, pk)


class EntriesTagsListApi(WallabagApi):
    """``DELETE /api/entries/tags/list?list=[{"url": …, "tags": "a,b"}]``: remove labels from entries
    found by address; answers ``[{"url", "entry": id or false}]``."""

    def delete(self, request: Request) -> Response:
        try:
            items = json.loads(request.query_params.get("list", "[]"))
        except ValueError as exc:
            raise ArticleError("list is not JSON.") from exc
        results = []
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict):
                continue
            url = str(item.get("url", ""))
            pk = entries.entries_exist(request.user, urls=[url], hashed=[]).get(url)
            results.append({"url": url, "entry": pk if pk is not None else False})
            tags = (entries.tag_by_label(request.user, label) for label in _labels(item.get("tags")))
            tag_ids = [tag.pk for tag in tags if tag is not None]
            if pk is not None and tag_ids:
                services.article_untag_bulk(user=request.user, ids=[pk], tag_ids=tag_ids)
        return Response(results)


class TagsApi(WallabagApi):
    """``GET /api/tags``: every tag of the user with ``nbEntries``."""

    def get(self, request: Request) -> Response:
        return Response([tag_json(t, with_count=True) for t in tag_list_counted(user=request.user)])


class TagApi(WallabagApi):
    """``DELETE /api/tags/{id}``: delete a tag (its entries stay); answers the tag."""

    def delete(self, request: Request, pk: str) -> Response:
        tag = next((t for t in tag_list_counted(user=request.user) if str(t.pk) == pk), None)
        if tag is None:
            raise NotFoundError("Tag not found")
        body = tag_json(tag)
        services.tag_delete(user=request.user, pk=tag.pk)
        return Response(body)


class TagLabelApi(WallabagApi):
    """``DELETE /api/tag/label`` (``tag``): delete the tag with that label; answers it."""

    def delete(self, request: Request) -> Response:
        label = _data(request).get("tag") or request.query_params.get("tag", "")
        tag = entries.tag_by_label(request.user, str(label))
        if tag is None:
            raise NotFoundError("Tag not found")
        body = tag_json(tag)
        services.tag_delete(user=request.user, pk=tag.pk)
        return Response(body)


class TagsLabelApi(WallabagApi):
    """``DELETE /api/tags/label`` (``tags``: comma-separated labels): delete them; answers the list."""

    def delete(self, request: Request) -> Response:
        labels = _labels(_data(request).get("tags") or request.query_params.get("tags", ""))
        tags = [t for t in (entries.tag_by_label(request.user, label) for label in labels) if t]
        if not tags:
            raise NotFoundError("Tags not found")
        body = [tag_json(t) for t in tags]
        for tag in tags:
            services.tag_delete(user=request.user, pk=tag.pk)
        return Response(body)


# --- annotations ----------------------------------------------------------------------------------------


def _annotation_input(request: Request) -> tuple[str | None, str | None, dict | None]:
    data = request.data if isinstance(request.data, dict) else {}
    ranges = data.get("ranges")
    anchor = {"ranges": ranges} if isinstance(ranges, list) else None
    quote = data.get("quote")
    text = data.get("text")
    return (None if quote is None else str(quote)), (None if text is None else str(text)), anchor


class AnnotationsApi(WallabagApi):
    """``GET /api/annotations/{entry}``: ``{"total", "rows"}``; ``POST /api/annotations/{entry}``
    (``quote``, ``text``, ``ranges``): a highlight with its note. ``PUT`` / ``DELETE
    /api/annotations/{annotation}`` (the same path, with an annotation's id, as in wallabag): change the
    note (and quote, ranges) / delete. Each answers the annotation."""

    def get(self, request: Request, pk: str) -> Response:
        article = entries.entry_get(request.user, pk)
        rows = [annotation_json(h, request.user) for h in article.highlight_rows]
        return Response({"total": len(rows), "rows": rows})

    def post(self, request: Request, pk: str) -> Response:
        article = entries.entry_get(request.user, pk)
        quote, text, anchor = _annotation_input(request)
        highlight = services.highlight_create(
            user=request.user, article_id=article.pk, quote=quote or "", note=text or "", anchor=anchor
        )
        return Response(annotation_json(highlight, request.user))

    def put(self, request: Request, pk: str) -> Response:
        quote, text, anchor = _annotation_input(request)
        highlight = services.highlight_update(
            user=request.user, highlight_id=_int(pk, 0), quote=quote, note=text, anchor=anchor
        )
        return Response(annotation_json(highlight, request.user))

    def delete(self, request: Request, pk: str) -> Response:
        highlight = entries.annotation_get(request.user, _int(pk, 0))
        body = annotation_json(highlight, request.user)
        services.highlight_delete(user=request.user, highlight_id=highlight.pk)
        return Response(body, status=status.HTTP_200_OK)
