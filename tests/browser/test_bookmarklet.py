"""The bookmarklet in a real browser (Debian's Chromium through Playwright) against the live Folio app and a
real Celery worker: a strict-CSP page whose article text only exists after a script ran is saved as the
browser shows it; a form on another site cannot make Folio save anything.

How the bookmarklet is run: the test reads the ``javascript:`` link the settings page offers for dragging,
decodes it, and evaluates its code in the visited page with ``page.evaluate`` (main world, the page's CSP
in force: the browser context does not bypass CSP). That is what Chrome does when a person clicks a
bookmarklet: the bookmarklet's own code is exempt from the page's ``script-src``, while everything it does
(opening windows, postMessage, connections) stays under the page's CSP. Navigating to the ``javascript:``
URL instead would be blocked by the page's ``script-src`` (bookmarks get an exemption that navigations made
by Playwright do not), so it would test nothing of Folio. The test also checks that the page's CSP really
forbids a connection to Folio, so the save can only have gone through the popup, postMessage and a
same-origin POST from Folio's own page.
"""

from __future__ import annotations

import os
from urllib.parse import unquote

import pytest

from articles.models import Article, ArticleSource
from tests.browser import CHROMIUM_ARGS
from tests.pageserver import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
STRICT_CSP = "default-src 'self'; connect-src 'self'"
PASSWORD = "correct horse battery"

#: Paragraphs that exist only after the page's script ran (the served HTML has a "Loading" placeholder).
SCRIPT_PARAGRAPHS = [
    "The keeper of the northern lighthouse wrote every evening in a ledger bound in green cloth, noting the "
    "wind, the state of the sea and the ships that passed before the lamp was lit.",
    "In the winter of the long storm she counted forty-one vessels sheltering in the bay, and for each one "
    "she wrote down the flag, the rigging and the time it dropped anchor behind the breakwater.",
    "Historians later used the ledgers to reconstruct the coastal trade of the period, finding that the "
    "small schooners she described carried most of the timber that built the harbour town.",
    "Her notes on the weather were so regular that meteorologists compared them with the readings of the "
    "observatory and found them accurate to within a few tenths of a degree across three decades.",
    "When the lighthouse was automated the ledgers went to the county archive, where they are still read "
    "by students who want to know what a single patient observer can record over a lifetime.",
]

ARTICLE_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>The lighthouse ledgers</title>
<script src="/csp/render.js" defer></script></head>
<body><header><nav><a href="/">Home</a> <a href="/about">About</a></nav></header>
<main><article id="story"><h1>The lighthouse ledgers</h1>
<p id="placeholder">Loading the story…</p></article></main>
<footer>Copyright 2026 Coastal Review</footer></body></html>"""

RENDER_JS = (
    "document.addEventListener('DOMContentLoaded', function () {\n"
    "  var story = document.getElementById('story');\n"
    "  document.getElementById('placeholder').remove();\n"
    "  PARAGRAPHS.forEach(function (text) { var p = document.createElement('p'); p.textContent = text;"
    " story.appendChild(p); });\n"
    "  document.body.setAttribute('data-rendered', 'yes');\n"
    "});\n"
)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, for this module's tests.

    Playwright's sync API keeps an asyncio loop on the test's thread while it runs; Django's ORM refuses to
    run beside a running loop unless told the caller is synchronous, which these tests are. The variable
    is set only while the browser is up.
    """
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _log_in(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def _serve_strict_csp_article(page_server) -> str:
    import json

    headers = {"Content-Security-Policy": STRICT_CSP}
    page_server.add(
        "/csp/render.js",
        RENDER_JS.replace("PARAGRAPHS", json.dumps(SCRIPT_PARAGRAPHS)),
        headers={**headers, "Content-Type": "text/javascript; charset=utf-8"},
    )
    return page_server.add("/csp/lighthouse.html", ARTICLE_PAGE, headers=headers)


def test_bookmarklet_saves_script_rendered_strict_csp_page(
    browser, live_server, page_server, celery_worker_process, user
):
    article_url = _serve_strict_csp_article(page_server)
    context = browser.new_context()  # bypass_csp stays False: the page's CSP applies
    page = context.new_page()
    _log_in(page, live_server, user)

    page.goto(f"{live_server.url}/settings/")
    href = page.get_attribute("#bookmarklet", "href")
    assert href.startswith("javascript:")
    for cookie in context.cookies():  # no session id or CSRF token in it, and no API key
        assert cookie["value"] not in href
    assert "Token" not in href and "csrfmiddlewaretoken" not in href
    code = unquote(href.removeprefix("javascript:"))
    assert live_server.url in code

    page.goto(article_url)
    page.wait_for_selector("body[data-rendered=yes]")
    assert SCRIPT_PARAGRAPHS[0] in page.inner_text("#story")
    # The page's CSP forbids connecting to Folio, so only the popup route can save it.
    outcome = page.evaluate(
        "url => fetch(url, {method: 'POST', mode: 'no-cors'}).then(() => 'connected', () => 'blocked')",
        f"{live_server.url}/save/",
    )
    assert outcome == "blocked"

    with context.expect_page() as popup_info:
        page.evaluate(code)
    popup = popup_info.value
    popup.wait_for_selector("#save-page-form[data-ready=true]")
    assert popup.input_value("#id_url") == article_url
    assert not Article.objects.exists()  # nothing is saved before the person presses Save in the popup
    popup.click("#save-page-form button[type=submit]")
    popup.wait_for_selector("#save-done", timeout=20_000)
    assert popup.inner_text("#saved-title") == "The lighthouse ledgers"
    assert popup.url.startswith(live_server.url + "/save/")

    popup.fill("#id_tags", "coast, history")
    popup.click(".save-form button[type=submit]")
    popup.wait_for_selector(".saved-tags .tag")
    assert sorted(t.strip() for t in popup.locator(".saved-tags .tag").all_inner_texts()) == [
        "coast",
        "history",
    ]
    reader_href = popup.get_attribute("#open-article", "href")

    article = Article.objects.get(user=user)
    assert article.url == article_url and article.source == Article.Source.BROWSER
    assert "data-rendered" in ArticleSource.objects.get(article=article).html
    wait_for(lambda: Article.objects.get(pk=article.pk).status in ("ready", "failed"), timeout=60)
    article.refresh_from_db()
    assert article.status == "ready", (article.failure_reason, celery_worker_process.log()[-2000:])
    for paragraph in SCRIPT_PARAGRAPHS:
        assert paragraph in article.content_text
    assert "Copyright 2026" not in article.content_text
    assert sorted(t.name for t in article.tags.all()) == ["coast", "history"]
    # Folio never fetched the page itself: the only request for it was the browser's.
    assert page_server.hits["/csp/lighthouse.html"] == 1

    reader = context.new_page()
    reader.goto(live_server.url + reader_href)
    assert SCRIPT_PARAGRAPHS[2] in reader.inner_text(".reader-body")
    context.close()


def test_bookmarklet_without_page_html_saves_the_address(browser, live_server, page_server, user):
    """With "send the page" switched off the popup asks only for the address and Folio fetches it later."""
    from articles.services.account import saving_options_update

    saving_options_update(user=user, send_page_html=False)
    article_url = _serve_strict_csp_article(page_server)
    context = browser.new_context()
    page = context.new_page()
    _log_in(page, live_server, user)
    page.goto(f"{live_server.url}/settings/")
    code = unquote(page.get_attribute("#bookmarklet", "href").removeprefix("javascript:"))
    page.goto(article_url)
    with context.expect_page() as popup_info:
        page.evaluate(code)
    popup_info.value.click("#save-page-form button[type=submit]")
    popup_info.value.wait_for_selector("#save-done", timeout=20_000)
    article = Article.objects.get(user=user)
    assert article.url == article_url and article.source == Article.Source.FETCH
    # No DOM was sent: any stored page is Folio's own fetch (served HTML, never the script-rendered DOM).
    for source in ArticleSource.objects.filter(article=article):
        assert "data-rendered" not in source.html
    context.close()


def test_form_on_another_site_saves_nothing(browser, live_server, page_server, user):
    """A logged-in person visits a hostile page that auto-submits a form to Folio's save endpoint."""
    page_server.add(
        "/evil/submit.js",
        "document.getElementById('forged').submit();",
        headers={"Content-Type": "text/javascript"},
    )
    evil_url = page_server.add(
        "/evil/page.html",
        f"""<!DOCTYPE html><html><body>
        <form id="forged" method="post" action="{live_server.url}/save/">
          <input name="url" value="https://example.com/forged"><input name="title" value="Forged">
        </form><script src="/evil/submit.js"></script></body></html>""",
    )
    context = browser.new_context()
    page = context.new_page()
    _log_in(page, live_server, user)
    with page.expect_response(f"{live_server.url}/save/") as answer:
        page.goto(evil_url)
    assert answer.value.status == 403
    assert not Article.objects.exists()
    # A GET of the popup with an address only shows the form; it never saves.
    page.goto(f"{live_server.url}/save/popup/?url=https%3A%2F%2Fexample.com%2Fby-get")
    assert page.input_value("#id_url") == "https://example.com/by-get"
    assert not Article.objects.exists()
    context.close()


#: A hostile page (issue 21.1): it opens Folio's popup for its own address, records every message the popup
#: sends it, and keeps posting its own page to the popup, as the bookmarklet would after ``folio:ready``.
DRIVE_BY_JS = """
window.heard = [];
window.addEventListener('message', function (event) { window.heard.push(event.data); });
var popup = window.open(FOLIO + '/save/popup/?url=' + encodeURIComponent(location.href) + '&title=Prize',
                        'folio_save', 'popup,width=520,height=640');
window.setInterval(function () {
  popup.postMessage({type: 'folio:page', url: location.href, title: 'You won',
                     html: '<html><body><h1>You won</h1><p>Log in here to claim.</p></body></html>'}, '*');
}, 100);
"""


def test_drive_by_popup_saves_nothing_and_learns_nothing(browser, live_server, page_server, user):
    """A site the person merely visits opens the popup and pushes its own page into it: nothing is saved and
    the site hears nothing from Folio (no ``folio:ready``, so not even that the visitor is logged in)."""
    page_server.add(
        "/prize/drive-by.js",
        DRIVE_BY_JS.replace("FOLIO", repr(live_server.url)),
        headers={"Content-Type": "text/javascript"},
    )
    prize_url = page_server.add(
        "/prize/index.html",
        '<!DOCTYPE html><html><head><script src="/prize/drive-by.js"></script></head><body>Prize</body></html>',
    )
    context = browser.new_context()
    page = context.new_page()
    _log_in(page, live_server, user)
    with context.expect_page() as popup_info:
        page.goto(prize_url)
    popup = popup_info.value
    popup.wait_for_selector("#save-page-form[data-ready=true]")
    page.wait_for_timeout(1500)  # fifteen of the site's messages reach the open popup
    assert page.evaluate("window.heard") == []
    assert not Article.objects.exists()
    assert popup.url.startswith(live_server.url + "/save/popup/")
    context.close()


def test_save_post_from_another_site_is_refused_by_fetch_metadata(client, user):
    """Even with a valid CSRF token, a POST the browser marks cross-site is refused."""
    client.force_login(user)
    answer = client.post("/save/", {"url": "https://example.com/x"}, headers={"Sec-Fetch-Site": "cross-site"})
    assert answer.status_code == 403
    assert not Article.objects.exists()
