"""The toolbar at a text selection and the popover of a highlight, in the real reader (Debian's Chromium
through Playwright): select by mouse drag, by keyboard (Shift+arrows) and on a touch screen (a context with
``has_touch``), highlight in a colour, add a note, copy the quote with its link, then change the colour,
edit the note and delete from the popover. Everything is checked in the database. With JavaScript off the
form under the article still creates and edits highlights. At 390x844: no horizontal scroll, targets
>= 44 px."""

from __future__ import annotations

from pathlib import Path

import pytest

from articles.models import Highlight
from tests.browser import CHROMIUM_ARGS, CHROMIUM_PATH
from tests.factories import ArticleFactory
from tests.pageserver import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"

BODY = (
    "<p>Opening words of the piece.</p>"
    "<p>The <em>important</em> sentence lives here, and more follows.</p>"
    "<p>A closing paragraph with a final thought.</p>"
)


@pytest.fixture
def launch(live_server, client, user, monkeypatch):
    """``open(**context_options) -> page`` logged in as ``user``; script errors collected in ``.errors``."""
    from django.conf import settings
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        errors: list[str] = []

        def open_page(**options):
            options.setdefault("viewport", {"width": 390, "height": 844})
            context = browser.new_context(**options)
            context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
            page = context.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on(
                "console",
                lambda m: (
                    errors.append(m.text)
                    if m.type == "error" and not m.text.startswith("Failed to load resource")
                    else None
                ),
            )
            page.on(
                "response",
                lambda r: (
                    errors.append(f"{r.status} {r.url}")
                    if r.status >= 400 and "favicon" not in r.url
                    else None
                ),
            )
            return page

        open_page.errors = errors
        yield open_page
        browser.close()


@pytest.fixture
def article(user):
    return ArticleFactory(
        user=user, url="https://example.com/select", status="ready", title="Select me", content_html=BODY
    )


def _point(page, paragraph: int, offset: int) -> tuple[float, float]:
    """Viewport coordinates of the character at ``offset`` of the text of paragraph ``paragraph``."""
    return tuple(
        page.evaluate(
            """([i, offset]) => {
              const p = document.querySelectorAll('#reader-body p')[i];
              const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
              let node, left = offset;
              while ((node = walker.nextNode()) && left >= node.length) left -= node.length;
              const range = document.createRange();
              range.setStart(node, left); range.setEnd(node, left + 1);
              const r = range.getBoundingClientRect();
              return [r.left + 1, r.top + r.height / 2];
            }""",
            [paragraph, offset],
        )
    )


def _assert_fits(page, selector: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for control in page.locator(selector).all():
        if control.is_visible():
            box = control.bounding_box()
            assert box["width"] >= 44 and box["height"] >= 44, control.evaluate("e => e.outerHTML")


def test_mouse_selection_highlight_recolour_note_delete(launch, live_server, article):
    page = launch()
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    toolbar = page.locator("#selection-toolbar")
    assert toolbar.is_hidden()
    # Drag across "important sentence" (paragraph 1, characters 4 to 22).
    page.mouse.move(*_point(page, 1, 4))
    page.mouse.down()
    page.mouse.move(*_point(page, 1, 21), steps=5)
    page.mouse.move(*_point(page, 1, 22))
    page.mouse.up()
    toolbar.wait_for(state="visible")
    quote = page.evaluate("window.getSelection().toString()").strip()
    assert quote.startswith("important sentence")
    _assert_fits(page, "#selection-toolbar button")
    page.click("#selection-toolbar .swatch[data-color=green]")
    mark = page.locator("#reader-body mark[data-color=green]").first
    mark.wait_for()
    h = Highlight.objects.get()
    assert (
        (h.color, h.quote) == ("green", quote)
        and h.anchor["start"] > 0
        and h.anchor["prefix"].endswith("The ")
    )
    assert h.anchor["end"] - h.anchor["start"] >= len("important sentence")
    assert toolbar.is_hidden() and page.locator(f"#highlight-{h.pk}").is_visible()

    # The popover of the highlight: colour, note, delete.
    mark.click()
    popover = page.locator("#highlight-popover")
    popover.wait_for(state="visible")
    assert popover.locator(".swatch[data-color=green]").get_attribute("aria-pressed") == "true"
    _assert_fits(page, "#highlight-popover button")
    popover.locator(".swatch[data-color=blue]").click()
    page.locator("#reader-body mark[data-color=blue]").first.wait_for()
    assert wait_for(lambda: Highlight.objects.get().color == "blue", timeout=10)
    page.fill("#popover-note", "Why it matters")
    popover.locator("[data-action=save]").click()
    page.locator(f"#highlight-{h.pk} .highlight-note").wait_for()
    assert Highlight.objects.get().note == "Why it matters" and popover.is_hidden()
    page.locator("#reader-body mark[data-color=blue]").first.click()
    assert page.input_value("#popover-note") == "Why it matters"
    popover.locator("[data-action=delete]").click()
    page.locator("#reader-body mark[data-highlight-id]").first.wait_for(state="detached")
    assert not Highlight.objects.exists()
    # Reading progress still follows the (re-marked) body after the swaps.
    assert page.evaluate("document.querySelectorAll('#reader-body p').length") == 3
    assert not launch.errors, launch.errors


def test_keyboard_selection_with_note_and_copy(launch, live_server, article):
    page = launch(permissions=["clipboard-read", "clipboard-write"])
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    # "closing" selected (a double-click would do it), then Shift+Right extends the selection by keyboard.
    page.evaluate(
        """() => {
          const text = document.querySelectorAll('#reader-body p')[2].firstChild;
          window.getSelection().setBaseAndExtent(text, 2, text, 2 + 'closing'.length);
        }"""
    )
    for _ in range(len(" paragraph")):
        page.keyboard.press("Shift+ArrowRight")
    page.locator("#selection-toolbar").wait_for(state="visible")
    assert page.evaluate("window.getSelection().toString()") == "closing paragraph"
    page.click("#selection-toolbar [data-action=copy]")
    page.locator("#reader-end").filter(has_text="copied").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert (
        copied.startswith("“closing paragraph”")
        and "https://example.com/select#:~:text=closing%20paragraph" in copied
    )

    # The toolbar stays after copying: the same selection can be highlighted too.
    page.click("#selection-toolbar [data-action=note]")
    page.locator("#highlight-popover").wait_for(state="visible")
    assert page.locator("#highlight-popover [data-action=delete]").is_hidden()
    page.click("#highlight-popover .swatch[data-color=pink]")
    page.fill("#popover-note", "A note at once")
    page.click("#highlight-popover [data-action=save]")
    page.locator("#reader-body mark[data-color=pink]").first.wait_for()
    h = Highlight.objects.get()
    assert (h.quote, h.note, h.color) == ("closing paragraph", "A note at once", "pink")
    # The highlight is reachable by keyboard: Enter opens its popover.
    page.focus("#reader-body mark[data-highlight-id]")
    page.keyboard.press("Enter")
    page.locator("#highlight-popover").wait_for(state="visible")
    assert page.input_value("#popover-note") == "A note at once"
    assert not launch.errors, launch.errors


def test_touch_selection(launch, live_server, article):
    page = launch(has_touch=True, is_mobile=True)
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    assert page.evaluate("matchMedia('(pointer: coarse)').matches")
    # A long press selects a word on a phone; Chromium's emulation cannot long-press, so the selection is
    # made as the system would, then every step is a tap.
    page.evaluate(
        """() => {
          const text = document.querySelectorAll('#reader-body p')[0].firstChild;
          window.getSelection().setBaseAndExtent(text, 0, text, 'Opening words'.length);
        }"""
    )
    toolbar = page.locator("#selection-toolbar")
    toolbar.wait_for(state="visible")
    selection_bottom = page.evaluate("window.getSelection().getRangeAt(0).getBoundingClientRect().bottom")
    assert toolbar.bounding_box()["y"] >= selection_bottom  # below: the phone's own menu sits above
    _assert_fits(page, "#selection-toolbar button")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "reader-selection-toolbar.png"))
    page.tap("#selection-toolbar .swatch[data-color=yellow]")
    page.locator("#reader-body mark[data-color=yellow]").first.wait_for()
    assert Highlight.objects.get().quote == "Opening words"
    page.tap("#reader-body mark[data-highlight-id]")
    page.locator("#highlight-popover").wait_for(state="visible")
    _assert_fits(page, "#highlight-popover button, #highlight-popover textarea")
    page.screenshot(path=str(ARTIFACTS / "reader-highlight-popover.png"))
    page.tap("#highlight-popover .swatch[data-color=green]")
    assert wait_for(lambda: Highlight.objects.get().color == "green", timeout=10)
    assert not launch.errors, launch.errors


def test_without_javascript_the_forms_create_and_edit(launch, live_server, article):
    page = launch(java_script_enabled=False)
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    assert page.locator("#selection-toolbar").is_hidden()
    page.click("#highlight-add > summary")
    page.fill("#highlight-quote", "final thought")
    page.check("#highlight-form input[name=color][value=blue]")
    page.click("#highlight-form button[type=submit]")
    page.wait_for_url("**#highlight-*")
    h = Highlight.objects.get()
    assert (h.quote, h.color) == ("final thought", "blue")
    item = page.locator(f"#highlight-{h.pk}")
    item.locator(".highlight-edit > summary").click()
    item.locator("input[name=color][value=pink]").check()
    item.locator("textarea[name=note]").fill("Edited without script")
    item.locator(".highlight-edit button[type=submit]").click()
    page.wait_for_url(f"**#highlight-{h.pk}")
    h.refresh_from_db()
    assert (h.color, h.note) == ("pink", "Edited without script")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
