"""Atom feeds of a person's views, tags and saved searches, under the secret feed token in the URL
(``/feeds/<token>/unread.atom``, ``/feeds/<token>/tags/<id>.atom``, ``/feeds/<token>/searches/<id>.atom``),
or without it for feed readers that log in with HTTP Basic and an app password (``/feeds/unread.atom``).

Each entry carries the article's full sanitized content (``sanitizing.clean``) with Folio's image
addresses made absolute. The XML is written by Django's feedgenerator (``Atom1Feed``, a SAX writer), never
by string concatenation. A revoked or rotated token answers 404; responses say ``Referrer-Policy:
no-referrer`` so the token never leaves in a Referer header.
"""

from __future__ import annotations

import lxml.html
from django.contrib.auth.models import AbstractBaseUser
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_GET

from articles import imaging, sanitizing
from articles.models import Article, SavedSearch, Tag
from articles.queries import LIBRARY_VIEWS, article_image_get
from articles.search import article_search_queryset
from articles.tokens import token_digest
from articles.views.media import image_response

from .models import FeedToken

#: Articles in one feed (newest saves first).
FEED_LENGTH = 50
#: Views with a feed: name -> heading (articles.queries.LIBRARY_VIEWS).
FEED_VIEWS = ("unread", "continue", "favorites", "archive", "all")


class FolioAtomFeed(Atom1Feed):
    """Atom 1.0 with the article itself in ``<content type="html">`` (Django's Atom1Feed writes only the
    summary)."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})


def feed_token_user(key: str) -> AbstractBaseUser:
    """The active user whose feed token is ``key`` (matched by digest, then compared in constant time).
    Raises Http404 for a revoked, rotated or unknown token."""
    row = FeedToken.objects.select_related("user").filter(digest=token_digest(key)).first()
    if row is None or not constant_time_compare(row.key, key) or not row.user.is_active:
        raise Http404("No such feed.")
    return row.user


def feed_articles(user: AbstractBaseUser, *, view: str = "all", tag: Tag | None = None, query: str = ""):
    """The user's newest FEED_LENGTH articles of a view (LIBRARY_VIEWS filters), a tag or a search."""
    articles = Article.objects.filter(user=user, deleted_at__isnull=True, **LIBRARY_VIEWS[view][1])
    if tag is not None:
        articles = articles.filter(tags=tag)
    if query:
        articles = articles.filter(id__in=article_search_queryset(user=user, query=query).values("id"))
    return articles.prefetch_related("tags").order_by("-saved_at", "-id")[:FEED_LENGTH]


def _absolute_images(html: str, request: HttpRequest, key: str | None) -> str:
    """``html`` with Folio's own addresses made absolute, and each kept image (``/images/<digest>.<ext>``)
    pointed at the feed's own image route (``/feeds/<token>/images/…``, or ``/feeds/images/…`` for
    app-password feeds), which a feed reader can load with the feed's credentials."""
    if not html:
        return ""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for element, attribute in (("img", "src"), ("a", "href")):
        for node in root.iter(element):
            value = node.get(attribute) or ""
            match = sanitizing.LOCAL_IMAGE_PATH.match(value) if element == "img" else None
            if match:
                digest, ext = match.group("digest"), match.group("ext")
                path = (
                    reverse("compat:feed_image", args=[key, digest, ext])
                    if key
                    else reverse("compat:feed_image_basic", args=[digest, ext])
                )
                node.set(attribute, request.build_absolute_uri(path))
            elif value.startswith("/") and not value.startswith("//"):
                node.set(attribute, request.build_absolute_uri(value))
    return (
        "".join(lxml.html.tostring(child, encoding="unicode") for child in root)
        if len(root)
        else root.text or ""
    )


def feed_response(request: HttpRequest, *, title: str, articles, key: str | None = None) -> HttpResponse:
    """The Atom document of ``articles``."""
    feed = FolioAtomFeed(
        title=f"Folio · {title}",
        link=request.build_absolute_uri(reverse("articles:library")),
        description=f"{title} in Folio",
        feed_url=request.build_absolute_uri(request.path),
        language="en",
    )
    for article in articles:
        content = _absolute_images(sanitizing.clean(article.content_html, article.url), request, key)
        feed.add_item(
            title=article.display_title,
            link=article.url,
            description=article.excerpt or article.display_title,
            unique_id=request.build_absolute_uri(reverse("articles:reader", args=[article.pk])),
            unique_id_is_permalink=False,
            author_name=article.author or None,
            pubdate=article.saved_at,
            updateddate=article.updated_at,
            categories=[t.name for t in article.tags.all()],
            content_html=content,
        )
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    feed.write(response, "utf-8")
    response["Referrer-Policy"] = "no-referrer"
    return response


def _feed_user(request: HttpRequest, key: str | None):
    """The feed's owner: by the token in the URL, or (``key`` None: ``/feeds/<view>.atom``) by HTTP Basic
    with an app password (compat.opds.app_password_user). Raises Http404 for a bad token; returns an
    HttpResponse (401 with a Basic challenge) when the app password is missing or wrong."""
    if key is not None:
        return feed_token_user(key)
    from .opds import app_password_user, basic_challenge

    return app_password_user(request) or basic_challenge()


@require_GET
def view_feed(request: HttpRequest, view: str, key: str | None = None) -> HttpResponse:
    """``/feeds/<token>/<view>.atom`` (or ``/feeds/<view>.atom`` with an app password): one of
    FEED_VIEWS."""
    user = _feed_user(request, key)
    if isinstance(user, HttpResponse):
        return user
    if view not in FEED_VIEWS:
        raise Http404("No such view.")
    return feed_response(
        request, title=LIBRARY_VIEWS[view][0], articles=feed_articles(user, view=view), key=key
    )


@require_GET
def tag_feed(request: HttpRequest, tag_id: int, key: str | None = None) -> HttpResponse:
    """``/feeds/<token>/tags/<id>.atom`` (or without the token, with an app password): the articles with
    one of the person's tags."""
    user = _feed_user(request, key)
    if isinstance(user, HttpResponse):
        return user
    tag = Tag.objects.filter(user=user, pk=tag_id).first()
    if tag is None:
        raise Http404("No such tag.")
    return feed_response(request, title=f"Tag {tag.name}", articles=feed_articles(user, tag=tag), key=key)


@require_GET
def search_feed(request: HttpRequest, pk: int, key: str | None = None) -> HttpResponse:
    """``/feeds/<token>/searches/<id>.atom`` (or without the token, with an app password): what one of the
    person's saved searches finds."""
    user = _feed_user(request, key)
    if isinstance(user, HttpResponse):
        return user
    saved = SavedSearch.objects.filter(user=user, pk=pk).first()
    if saved is None:
        raise Http404("No such search.")
    return feed_response(request, title=saved.name, articles=feed_articles(user, query=saved.query), key=key)


def feed_url(
    request: HttpRequest, key: str, *, view: str = "", tag_id: int | None = None, search_id: int | None = None
) -> str:
    """The absolute address of a feed for feed token ``key``."""
    if tag_id is not None:
        path = reverse("compat:tag_feed", args=[key, tag_id])
    elif search_id is not None:
        path = reverse("compat:search_feed", args=[key, search_id])
    else:
        path = reverse("compat:view_feed", args=[key, view or "unread"])
    return request.build_absolute_uri(path)


@require_GET
def feed_image(request: HttpRequest, digest: str, ext: str, key: str | None = None) -> HttpResponse:
    """``/feeds/<token>/images/<digest>.<ext>`` (or ``/feeds/images/…`` with an app password): one of the
    feed owner's kept images, answered by the media view's ``image_response`` (same headers), loadable by
    a feed reader on another origin."""
    user = _feed_user(request, key)
    if isinstance(user, HttpResponse):
        return user
    image = article_image_get(digest=digest, content_type=imaging.EXTENSIONS[ext], user=user)
    response = image_response(request, image)
    response["Cross-Origin-Resource-Policy"] = "cross-origin"  # the feed's credentials already decided
    response["Referrer-Policy"] = "no-referrer"
    return response
