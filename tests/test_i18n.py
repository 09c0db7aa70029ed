"""Four languages (issue 19, item 3): every page the browser test walks (tests/browser/test_pages_browser.py),
rendered in German through the Django test client, has no English string of the catalogue left; the
catalogues are complete; Accept-Language picks French; the person's setting beats the browser; dates are
localised, in the Django templates and in the Jinja2 library rows.

"The walk against the catalogue": the visible text of each page (text nodes and whole blocks, plus
``placeholder``, ``aria-label``, ``title`` and ``alt``) is compared with every English msgid of
``locale/de/LC_MESSAGES/django.po`` whose German msgstr differs; a msgid with ``%(name)s`` placeholders
matches any values. What the test itself created (titles, text, tags, site names), code, ``<kbd>``, URLs
and the brand "Folio" are left out: they are the person's words, not Folio's.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils import timezone, translation
from lxml import html as lxml_html

from articles.models import Article, ReaderSettings
from tests.factories import (
    ArticleFactory,
    HighlightFactory,
    ImportFactory,
    ReaderSettingsFactory,
    SavedSearchFactory,
    TagFactory,
)

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = ("de", "fr", "es")

#: What the pages print from the test's own data (the person's words): never compared.
USER_CONTENT = {
    "Keepers of the light",
    "What the last lighthouse keepers did on the islands.",
    "Already read",
    "news",
    "a-rather-long-tag-name",
    "An Example Site With A Long Name",
    "Lights",
    "lighthouse",
    "Folio",
}


def _catalogue(language: str):
    with open(LOCALE / language / "LC_MESSAGES" / "django.po", "rb") as handle:
        return read_po(handle, locale=language)


@pytest.fixture(scope="module", autouse=True)
def _compiled_catalogues():
    """The .mo files, compiled from the .po files when missing or older (as `make install` does with
    the same library), so that the test also runs without the Makefile."""
    compiled = False
    for language in LANGUAGES:
        po = LOCALE / language / "LC_MESSAGES" / "django.po"
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with open(mo, "wb") as handle:
                write_mo(handle, _catalogue(language))
            compiled = True
    if compiled:
        from django.utils.translation import trans_real

        trans_real._translations = {}  # forget catalogues loaded before the compilation


@pytest.fixture(autouse=True)
def _english_afterwards():
    """Requests leave their language active in this thread (Django activates one per request and never
    resets it); the tests after these run in English again."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _plain(msgid: str) -> str:
    """A msgid as it reads on the page: entities decoded, tags dropped, %% as %, spaces collapsed."""
    text = html.unescape(re.sub(r"<[^>]+>", "", msgid)).replace("%%", "%")
    return " ".join(text.split())


def _english_patterns() -> list[tuple[str, re.Pattern]]:
    """(msgid, pattern) for each msgid (and plural) whose German translation differs from it."""
    pairs = []
    for message in _catalogue("de"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        pairs += zip(ids, strings, strict=False)
    # The same word in German ("Tags", "Export", "Details"), in any of its contexts ("Tag" the noun is
    # "Tag"; "Tag" the verb is "Taggen"): not English left over.
    same = {_plain(msgid) for msgid, msgstr in pairs if _plain(msgid) == _plain(msgstr)}
    patterns = []
    for msgid, _msgstr in pairs:
        if _plain(msgid) in same:
            continue
        plain = _plain(msgid)
        literal = re.sub(r"%\([a-z_]+\)[sdrg]", "", plain)
        if not re.search(r"[A-Za-z]{3}", literal):
            continue  # "%(count)d min": no English word to find
        parts = re.split(r"%\([a-z_]+\)[sdrg]", plain)
        patterns.append((msgid, re.compile("^" + ".+?".join(re.escape(p) for p in parts) + "$")))
    return patterns


BLOCKS = [
    "p",
    "li",
    "h1",
    "h2",
    "h3",
    "button",
    "a",
    "label",
    "summary",
    "dt",
    "dd",
    "th",
    "td",
    "legend",
    "option",
    "title",
    "span",
    "strong",
]
ATTRIBUTES = ("placeholder", "aria-label", "title", "alt")


def _visible_texts(page: bytes) -> set[str]:
    """The page's words a person sees or hears: text nodes, whole blocks and labelling attributes, with
    the person's own content (the article body, code, keys, the test's data) left out."""
    tree = lxml_html.fromstring(page)
    for element in tree.xpath(
        "//script|//style|//code|//kbd|//pre|//textarea|//*[contains(@class,'reader-body')]"
        "|//*[contains(@class,'headline')]|//*[contains(@class,'excerpt')]|//*[contains(@class,'tag')]"
    ):
        if element.getparent() is not None:
            element.drop_tree()
    texts = set()
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for piece in (element.text, element.tail):
            if piece and piece.strip():
                texts.add(" ".join(piece.split()))
        if element.tag in BLOCKS:
            texts.add(" ".join(element.text_content().split()))
        for name in ATTRIBUTES:
            if element.get(name):
                texts.add(" ".join(element.get(name).split()))
    return {
        t
        for t in texts
        if t
        and t not in USER_CONTENT
        and not t.startswith(("http://", "https://", "/"))
        and "Article " not in t
    }


def _english_left(page: bytes, patterns) -> list[str]:
    texts = _visible_texts(page)
    return sorted({f"{text!r} (msgid {msgid!r})" for text in texts for msgid, p in patterns if p.match(text)})


@pytest.fixture
def library(user):
    """The browser test's library (tests/browser/test_pages_browser.py), made with factories: ready with
    an extraction log, half-read, read, favorite, tagged, failed, queued; a highlight, an import, a saved
    search."""
    article = ArticleFactory(
        user=user,
        ready=True,
        title="Keepers of the light",
        excerpt="What the last lighthouse keepers did on the islands.",
        extraction_log={
            "extractor": "trafilatura",
            "fallbacks": [{"extractor": "readability", "because": ["short"]}],
            "scores": {"trafilatura": {"prose_words": 300}},
            "warnings": ["menu-like"],
            "removed": ["nav"],
            "images": {"lazy": 1, "dropped": 2},
        },
    )
    news, long_name = TagFactory(user=user, name="news"), TagFactory(user=user, name="a-rather-long-tag-name")
    article.tags.add(news)
    for i in range(4):
        ArticleFactory(
            user=user,
            ready=True,
            title=f"A long title about the way people read on small screens, part {i}",
            site_name="An Example Site With A Long Name",
            word_count=1200 * (i + 1),
            reading_time_minutes=5 * (i + 1),
            progress_percent=35.0 if i == 1 else 0.0,
            is_favorite=i == 2,
        ).tags.add(long_name)
    ArticleFactory(user=user, ready=True, read=True, title="Already read")
    failed = ArticleFactory(user=user, failed=True, failure_reason="The site took too long to answer.")
    ArticleFactory(user=user, status=Article.Status.QUEUED, url="https://example.net/queued")
    HighlightFactory(article=article, quote="Lighthouses were lit by hand")
    ImportFactory(user=user, total=3, created_count=3)
    SavedSearchFactory(user=user, name="Lights", query="lighthouse")
    return article, failed


def _pages(article: Article, failed: Article) -> list[tuple[str, str]]:
    """The browser test's pages (tests/browser/test_pages_browser.py::_pages), plus the account pages."""
    return [
        ("library", "/"),
        ("archive", "/archive/"),
        ("favorites", "/favorites/"),
        ("reader", f"/articles/{article.pk}/"),
        ("reader-failed", f"/articles/{failed.pk}/"),
        ("search", "/search/?q=light"),
        ("search-empty", "/search/"),
        ("saved-searches", "/search/saved/"),
        ("tags", "/tags/"),
        ("settings", "/settings/"),
        ("reader-settings", "/settings/reader/"),
        ("imports", "/imports/"),
        ("popup", "/save/popup/?url=https%3A%2F%2Fexample.com%2Fpage&title=A+page"),
        ("saved", f"/save/{article.pk}/"),
        ("not-found", "/articles/999999/"),
        ("account", "/account/"),
        ("sessions", "/account/sessions/"),
        ("shares", "/account/shares/"),
        ("two-factor", "/account/two-factor/"),
        ("password-change", "/account/password/"),
        ("people", "/account/people/"),
    ]


def _pages_of_this_round(user, article: Article) -> list[tuple[str, str]]:
    """The pages of feeds, tagging rules and webhooks, the highlights library, reading statistics and the
    EPUB export job, each with one object of its kind (rows as their services store them)."""
    from articles.models import ExportJob
    from automation.models import Rule, RuleRun, WebhookEndpoint
    from feeds.models import Feed

    feed = Feed.objects.create(
        user=user, url="https://example.org/feed.xml", title="Example", last_error="The feed is broken."
    )
    rule = Rule.objects.create(user=user, name="News", conditions={"site": "example.org"}, add_tags=["news"])
    run = RuleRun.objects.create(user=user, rule=rule, total=10, done=4, matched=2)
    webhook = WebhookEndpoint.objects.create(
        user=user, url="https://hooks.example.org/folio", events=["article.ready"], secret="whsec_test"
    )
    job = ExportJob.objects.create(user=user, title="Book", article_ids=[article.pk])
    return [
        ("highlights", "/highlights/"),
        ("stats", "/stats/"),
        ("feeds", "/feeds/"),
        ("feed", f"/feeds/{feed.pk}/"),
        ("feed-edit", f"/feeds/{feed.pk}/edit/"),
        ("automation", "/automation/"),
        ("rule-new", "/automation/rules/new/"),
        ("rule", f"/automation/rules/{rule.pk}/"),
        ("rule-run", f"/automation/runs/{run.pk}/"),
        ("webhook-new", "/automation/webhooks/new/"),
        ("webhook", f"/automation/webhooks/{webhook.pk}/"),
        ("export-job", f"/exports/{job.pk}/"),
    ]


@pytest.mark.django_db
def test_every_page_in_german_has_no_english_string_left(client, user, library):
    ReaderSettingsFactory(user=user, language="de")
    user.is_staff = True  # the people and invitations page too
    user.save(update_fields=["is_staff"])
    client.force_login(user)
    patterns = _english_patterns()
    assert len(patterns) > 400  # the walk compares against the whole catalogue
    left = {}
    for name, path in _pages(*library) + _pages_of_this_round(user, library[0]):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code in (200, 404), (name, response.status_code)
        assert b'<html lang="de"' in response.content, name
        found = _english_left(response.content, patterns)
        if found:
            left[name] = found
    client.logout()
    for name, path in (("login", "/login/"), ("password-reset", "/account/password/reset/")):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="de")
        assert response.status_code == 200, name
        found = _english_left(response.content, patterns)
        if found:
            left[name] = found
    assert left == {}


@pytest.mark.django_db
def test_the_walk_finds_english_when_a_page_is_english(client, user, library):
    """The check itself works: the same library page in English is full of catalogue strings."""
    client.force_login(user)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    found = _english_left(response.content, _english_patterns())
    assert any("'Mark read'" in f for f in found)
    assert any("'Save an article'" in f for f in found)
    assert any("msgid '%(count)d fixes applied'" in f or "Unread" in f for f in found)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogues_are_complete(language):
    """Every msgid has a msgstr (every plural form), none is fuzzy, and the placeholders agree (Babel's
    checks, as msgfmt --check does)."""
    catalogue = _catalogue(language)
    assert len(catalogue) > 500
    empty, fuzzy = [], []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            empty.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert empty == []
    assert fuzzy == []
    problems = [(message.id, [str(e) for e in errors]) for message, errors in catalogue.check() if errors]
    assert problems == []


@pytest.mark.django_db
def test_accept_language_french_gives_french(client, user):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9,en;q=0.5")
    assert b'<html lang="fr"' in response.content
    assert "Se connecter à Folio" in response.content.decode()
    client.force_login(user)
    ArticleFactory(user=user, ready=True, title="Un article")
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Enregistrer un article" in page
    assert "Marquer comme lu" in page  # in the Jinja2 row
    assert response.headers["Content-Language"] == "fr"


@pytest.mark.django_db
def test_the_persons_setting_beats_the_browser(client, user):
    ReaderSettingsFactory(user=user, language="es")
    client.force_login(user)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<html lang="es"' in page
    assert "Guardar un artículo" in page
    # Choosing "as the browser asks" on the reader settings page gives the browser its say again.
    response = client.post(
        "/settings/reader/",
        {
            "font": "serif",
            "font_size": 19,
            "line_height": "1.6",
            "column_width": 38,
            "theme": "system",
            "language": "",
        },
        HTTP_ACCEPT_LANGUAGE="de",
        follow=True,
    )
    assert ReaderSettings.objects.get(user=user).language == ""
    assert "Leseeinstellungen gespeichert." in response.content.decode()
    assert '<html lang="de"' in client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()


@pytest.mark.django_db
def test_reader_settings_page_offers_the_four_languages(client, user):
    client.force_login(user)
    page = client.get("/settings/reader/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for value, name in (("de", "Deutsch"), ("fr", "Français"), ("es", "Español"), ("en", "English")):
        assert f'<option value="{value}">{name}</option>' in page
    response = client.post("/settings/reader/", {"language": "xx"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200  # the form shows the error; nothing stored
    assert ReaderSettings.objects.filter(user=user, language="xx").count() == 0


@pytest.mark.django_db
def test_dates_are_localised(client, user, settings):
    settings.TIME_ZONE = "UTC"
    saved = timezone.make_aware(datetime(2024, 3, 5, 14, 30))
    article = ArticleFactory(user=user, ready=True, title="Ein Artikel", saved_at=saved, word_count=12345)
    ReaderSettingsFactory(user=user, language="de")
    client.force_login(user)
    library = client.get("/all/").content.decode()
    assert "5. März 2024" in library  # the Jinja2 row's saved date, German DATE_FORMAT
    reader = client.get(f"/articles/{article.pk}/").content.decode()
    assert "5. März 2024 14:30" in reader  # the reader's details, German DATETIME_FORMAT
    assert "12.345" in reader  # the word count with the German thousands separator
    ReaderSettings.objects.filter(user=user).update(language="fr")
    library = client.get("/all/").content.decode()
    assert "5 mars 2024" in library
    ReaderSettings.objects.filter(user=user).update(language="en")
    library = client.get("/all/").content.decode()
    assert "5 Mar 2024" in library  # Folio's English format (reader/formats/en)


@pytest.mark.django_db
def test_stored_failure_reasons_are_translated_when_fixed(client, user):
    """A failure reason the worker stored in English is shown in German: a fixed sentence as it is, one of
    the fetch client's sentences with values matched back to its msgid; anything else as stored."""
    fixed = ArticleFactory(user=user, failed=True, failure_reason="The site took too long to answer.")
    ReaderSettingsFactory(user=user, language="de")
    client.force_login(user)
    assert (
        "Die Website hat zu lange nicht geantwortet." in client.get(f"/articles/{fixed.pk}/").content.decode()
    )
    assert "Die Website hat zu lange nicht geantwortet." in client.get("/all/").content.decode()
    # With values: matched back to the fetch client's sentence, translated, the values kept.
    with_status = ArticleFactory(user=user, failed=True)  # "The server answered 404 Not Found."
    page = client.get(f"/articles/{with_status.pk}/").content.decode()
    assert "Der Server antwortete mit 404 Not Found." in page
    unknown = ArticleFactory(user=user, failed=True, failure_reason="Something only this test says.")
    assert "Something only this test says." in client.get(f"/articles/{unknown.pk}/").content.decode()


@pytest.mark.django_db
def test_messages_and_errors_are_translated(client, user):
    ReaderSettingsFactory(user=user, language="de")
    client.force_login(user)
    response = client.post("/", {"url": "ftp://example.com/file"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Folio speichert nur http- und https-Adressen." in response.content.decode()
    article = ArticleFactory(user=user, ready=True)
    response = client.post(
        "/articles/actions/", {"action": "archive", "ids": [article.pk], "next": "/"}, follow=True
    )
    assert "1 Artikel archiviert." in response.content.decode()


@pytest.mark.django_db
def test_password_reset_email_in_the_browsers_language(client, user, mailoutbox):
    user.email = "reader@example.com"
    user.save(update_fields=["email"])
    client.post("/account/password/reset/", {"email": "reader@example.com"}, HTTP_ACCEPT_LANGUAGE="es")
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert "Alguien (esperamos que tú) ha pedido restablecer la contraseña" in body
    assert "Establece una contraseña nueva aquí" in body
