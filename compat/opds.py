"""The OPDS 1.2 catalog at ``/opds/`` (https://specs.opds.io/opds-1.2): a navigation feed (Unread,
Continue reading, Favorites, Archive, All, each tag, each saved search), acquisition feeds of each with
the EPUB of every article (Folio's EPUB export) and one EPUB of the whole page, paging (``?page=``), and
an OpenSearch description so that e-reader apps can search.

E-reader apps log in with HTTP Basic: the username and an app password (``compat.models.AppPassword``,
made on the settings page), never the account password. The XML is built with lxml's ElementMaker.
"""

from __future__ import annotations

import base64
import binascii
import functools
import math

from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from lxml import etree
from lxml.builder import ElementMaker

from articles.models import Article, SavedSearch, Tag
from articles.queries import LIBRARY_VIEWS
from articles.search import article_search_queryset
from articles.services import exporting
from articles.services.apps import app_password_used
from articles.tokens import token_digest

from .models import AppPassword

ATOM_NS = "http://www.w3.org/2005/Atom"
OPDS_NS = "http://opds-spec.org/2010/catalog"
DC_NS = "http://purl.org/dc/terms/"
OPENSEARCH_NS = "http://a9.com/-/spec/opensearch/1.1/"
NAVIGATION = "application/atom+xml;profile=opds-catalog;kind=navigation"
ACQUISITION = "application/atom+xml;profile=opds-catalog;kind=acquisition"
EPUB = "application/epub+zip"
#: Articles per acquisition page; most in one whole-page book.
PAGE_SIZE = 25
VIEWS = ("unread", "continue", "favorites", "archive", "all")

A = ElementMaker(
    namespace=ATOM_NS, nsmap={None: ATOM_NS, "opds": OPDS_NS, "dc": DC_NS, "opensearch": OPENSEARCH_NS}
)
DC = ElementMaker(namespace=DC_NS)
OS = ElementMaker(namespace=OPENSEARCH_NS)


def basic_challenge() -> HttpResponse:
    """401 with an HTTP Basic challenge (the catalog's and the Basic feeds' answer without a valid app
    password)."""
    response = HttpResponse("An app password is needed.", status=401, content_type="text/plain")
    response["WWW-Authenticate"] = 'Basic realm="Folio OPDS", charset="UTF-8"'
    return response


def app_password_user(request: HttpRequest):
    """The active user whose username and app password are in the request's HTTP Basic credentials, or
    None. The password is matched by digest among that user's app passwords, then compared in constant
    time; the account password is never accepted here."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        username, _, password = (
            base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
        )
    except (binascii.Error, UnicodeDecodeError):
        return None
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None or not password:
        return None
    digest = token_digest(password)
    row = AppPassword.objects.filter(user=user, digest=digest).first()
    if row is None or not constant_time_compare(row.digest, digest):
        return None
    app_password_used(row=row)
    return user


def opds_login_required(view):
    """Views of the catalog: HTTP Basic with an app password; 401 with a Basic challenge otherwise."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        user = app_password_user(request)
        if user is None:
            return basic_challenge()
        request.opds_user = user
        return view(request, *args, **kwargs)

    return wrapper


def _now() -> str:
    return timezone.now().isoformat(timespec="seconds")


def _url(request: HttpRequest, name: str, *args, **query) -> str:
    path = reverse(f"compat:{name}", args=args)
    if query:
        from urllib.parse import urlencode

        path += "?" + urlencode(query)
    return request.build_absolute_uri(path)


def _feed(
    request: HttpRequest, *, title: str, feed_id: str, kind: str, entries: list, links: list
) -> HttpResponse:
    title = str(title)
    feed = A.feed(
        A.id(feed_id),
        A.title(title),
        A.updated(_now()),
        A.author(A.name("Folio")),
        A.link(rel="self", href=request.build_absolute_uri(), type=kind),
        A.link(rel="start", href=_url(request, "opds_root"), type=NAVIGATION),
        A.link(
            rel="search",
            href=_url(request, "opds_search_description"),
            type="application/opensearchdescription+xml",
        ),
        *links,
        *entries,
    )
    body = etree.tostring(feed, xml_declaration=True, encoding="utf-8")
    return HttpResponse(body, content_type=f"{kind}; charset=utf-8")


def _nav_entry(title: str, href: str, entry_id: str, text: str):
    title, text = str(title), str(text)  # the views' names are lazy translations; lxml wants text
    return A.entry(
        A.title(title),
        A.id(entry_id),
        A.updated(_now()),
        A.content(text, type="text"),
        A.link(rel="subsection", href=href, type=ACQUISITION),
    )


@opds_login_required
def root_view(request: HttpRequest) -> HttpResponse:
    """``/opds/``: the navigation feed."""
    user = request.opds_user
    entries = [
        _nav_entry(
            LIBRARY_VIEWS[v][0],
            _url(request, "opds_view", v),
            f"urn:folio:opds:{v}",
            f"{LIBRARY_VIEWS[v][0]} articles",
        )
        for v in VIEWS
    ]
    entries += [
        _nav_entry(
            f"Tag: {t.name}",
            _url(request, "opds_tag", t.pk),
            f"urn:folio:opds:tag:{t.pk}",
            f"Articles tagged {t.name}",
        )
        for t in Tag.objects.filter(user=user).order_by("name")
    ]
    entries += [
        _nav_entry(
            f"Search: {s.name}",
            _url(request, "opds_saved_search", s.pk),
            f"urn:folio:opds:search:{s.pk}",
            s.query,
        )
        for s in SavedSearch.objects.filter(user=user).order_by("name")
    ]
    return _feed(request, title="Folio", feed_id="urn:folio:opds", kind=NAVIGATION, entries=entries, links=[])


def _articles(user, *, view: str = "all", tag: Tag | None = None, query: str = ""):
    articles = Article.objects.filter(user=user, deleted_at__isnull=True, **LIBRARY_VIEWS[view][1])
    if tag is not None:
        articles = articles.filter(tags=tag)
    if query:
        articles = articles.filter(id__in=article_search_queryset(user=user, query=query).values("id"))
    return articles.order_by("-saved_at", "-id")


def _page(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _acquisition(request: HttpRequest, *, title: str, feed_id: str, articles, book_href: str) -> HttpResponse:
    """One page of an acquisition feed: an entry per article with its EPUB, a first entry holding the
    whole page as one EPUB, and first/previous/next/last links."""
    page = _page(request)
    total = articles.count()
    pages = max(1, math.ceil(total / PAGE_SIZE))
    if page > pages:
        raise Http404("No such page.")
    rows = list(articles.prefetch_related("tags")[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    base = request.build_absolute_uri(request.path)
    links = [A.link(rel="first", href=f"{base}?page=1", type=ACQUISITION)]
    if page > 1:
        links.append(A.link(rel="previous", href=f"{base}?page={page - 1}", type=ACQUISITION))
    if page < pages:
        links.append(A.link(rel="next", href=f"{base}?page={page + 1}", type=ACQUISITION))
    links += [
        A.link(rel="last", href=f"{base}?page={pages}", type=ACQUISITION),
        OS.totalResults(str(total)),
        OS.itemsPerPage(str(PAGE_SIZE)),
        OS.startIndex(str((page - 1) * PAGE_SIZE + 1)),
    ]
    entries = []
    if rows:
        entries.append(
            A.entry(
                A.title(f"{title} (page {page}) as one book"),
                A.id(f"{feed_id}:book:{page}"),
                A.updated(_now()),
                A.content(f"The {len(rows)} articles of this page in one EPUB.", type="text"),
                A.link(rel="http://opds-spec.org/acquisition", href=f"{book_href}?page={page}", type=EPUB),
            )
        )
    for article in rows:
        children = [
            A.title(article.display_title),
            A.id(f"urn:folio:article:{article.pk}"),
            A.updated(article.updated_at.isoformat(timespec="seconds")),
        ]
        if article.author:
            children.append(A.author(A.name(article.author)))
        children += [A.category(term=t.name, label=t.name) for t in article.tags.all()]
        if article.language:
            children.append(DC.language(article.language))
        children.append(
            DC.issued(article.published.isoformat())
            if article.published
            else DC.issued(article.saved_at.date().isoformat())
        )
        if article.excerpt:
            children.append(A.summary(article.excerpt, type="text"))
        children += [
            A.link(
                rel="http://opds-spec.org/acquisition",
                href=_url(request, "opds_article_epub", article.pk),
                type=EPUB,
            ),
            A.link(rel="alternate", href=article.url, type="text/html"),
        ]
        entries.append(A.entry(*children))
    return _feed(request, title=title, feed_id=feed_id, kind=ACQUISITION, entries=entries, links=links)


def _book(request: HttpRequest, title: str, articles) -> HttpResponse:
    page = _page(request)
    ids = list(articles.values_list("id", flat=True)[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    body = exporting.export_epub(
        exporting.export_articles(user=request.opds_user, ids=ids) if ids else Article.objects.none(),
        title=title,
    )
    response = HttpResponse(body, content_type=EPUB)
    response["Content-Disposition"] = 'attachment; filename="folio.epub"'
    return response


@opds_login_required
def view_view(request: HttpRequest, view: str) -> HttpResponse:
    """``/opds/<view>/``: the acquisition feed of a library view."""
    if view not in VIEWS:
        raise Http404("No such view.")
    title = str(LIBRARY_VIEWS[view][0])
    return _acquisition(
        request,
        title=title,
        feed_id=f"urn:folio:opds:{view}",
        articles=_articles(request.opds_user, view=view),
        book_href=_url(request, "opds_view_book", view),
    )


@opds_login_required
def view_book_view(request: HttpRequest, view: str) -> HttpResponse:
    """``/opds/<view>/book.epub?page=N``: one page of a view as one EPUB."""
    if view not in VIEWS:
        raise Http404("No such view.")
    return _book(request, f"Folio · {LIBRARY_VIEWS[view][0]}", _articles(request.opds_user, view=view))


def _tag(request: HttpRequest, pk: int) -> Tag:
    tag = Tag.objects.filter(user=request.opds_user, pk=pk).first()
    if tag is None:
        raise Http404("No such tag.")
    return tag


@opds_login_required
def tag_view(request: HttpRequest, pk: int) -> HttpResponse:
    """``/opds/tags/<id>/``: the articles with one of the person's tags."""
    tag = _tag(request, pk)
    return _acquisition(
        request,
        title=f"Tag: {tag.name}",
        feed_id=f"urn:folio:opds:tag:{tag.pk}",
        articles=_articles(request.opds_user, tag=tag),
        book_href=_url(request, "opds_tag_book", tag.pk),
    )


@opds_login_required
def tag_book_view(request: HttpRequest, pk: int) -> HttpResponse:
    """``/opds/tags/<id>/book.epub?page=N``."""
    tag = _tag(request, pk)
    return _book(request, f"Folio · {tag.name}", _articles(request.opds_user, tag=tag))


def _saved(request: HttpRequest, pk: int) -> SavedSearch:
    saved = SavedSearch.objects.filter(user=request.opds_user, pk=pk).first()
    if saved is None:
        raise Http404("No such search.")
    return saved


@opds_login_required
def saved_search_view(request: HttpRequest, pk: int) -> HttpResponse:
    """``/opds/searches/<id>/``: what one of the person's saved searches finds."""
    saved = _saved(request, pk)
    return _acquisition(
        request,
        title=f"Search: {saved.name}",
        feed_id=f"urn:folio:opds:search:{saved.pk}",
        articles=_articles(request.opds_user, query=saved.query),
        book_href=_url(request, "opds_saved_search_book", saved.pk),
    )


@opds_login_required
def saved_search_book_view(request: HttpRequest, pk: int) -> HttpResponse:
    """``/opds/searches/<id>/book.epub?page=N``."""
    saved = _saved(request, pk)
    return _book(request, f"Folio · {saved.name}", _articles(request.opds_user, query=saved.query))


@opds_login_required
def search_view(request: HttpRequest) -> HttpResponse:
    """``/opds/search/?q=…``: the OpenSearch template's target, an acquisition feed of what ``q`` finds."""
    query = request.GET.get("q", "").strip()[:200]
    articles = _articles(request.opds_user, query=query) if query else Article.objects.none()
    return _acquisition(
        request,
        title=f"Search: {query}",
        feed_id="urn:folio:opds:search",
        articles=articles,
        book_href=_url(request, "opds_root"),
    )


@opds_login_required
def search_description_view(request: HttpRequest) -> HttpResponse:
    """``/opds/search.xml``: the OpenSearch 1.1 description pointing at search_view."""
    osd = ElementMaker(namespace=OPENSEARCH_NS, nsmap={None: OPENSEARCH_NS})
    template = request.build_absolute_uri(reverse("compat:opds_search")) + "?q={searchTerms}"
    document = osd.OpenSearchDescription(
        osd.ShortName("Folio"),
        osd.Description("Search your Folio library"),
        osd.InputEncoding("UTF-8"),
        osd.OutputEncoding("UTF-8"),
        osd.Url(type=ACQUISITION, template=template),
    )
    return HttpResponse(
        etree.tostring(document, xml_declaration=True, encoding="utf-8"),
        content_type="application/opensearchdescription+xml; charset=utf-8",
    )


@opds_login_required
def article_epub_view(request: HttpRequest, pk: int) -> HttpResponse:
    """``/opds/articles/<id>.epub``: one article as an EPUB (Folio's EPUB export)."""
    articles = exporting.export_articles(user=request.opds_user, ids=[pk])
    article = articles.first()
    if article is None:
        raise Http404("No such article.")
    response = HttpResponse(exporting.export_epub(articles, title=article.display_title), content_type=EPUB)
    response["Content-Disposition"] = f'attachment; filename="folio-{article.pk}.epub"'
    return response
