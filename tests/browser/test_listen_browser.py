"""Listening in the real reader (Debian's Chromium through Playwright). Headless Chromium has no voices, so
a fake ``speechSynthesis`` is installed in the page before any script runs (``add_init_script``): it records
what is spoken and lets the test end an utterance (``onend``) when it wants. Checks play, the paragraph
marked as it advances, pause/resume, speed, the voice of the article's language, the reading position
saved through the progress endpoint (in the database), continuing after a reload, the keyboard shortcut,
Media Session metadata, and that the control is absent without speech synthesis or JavaScript. At
390x844: no horizontal scroll and every control at least 44 px."""

from __future__ import annotations

from pathlib import Path

import pytest

from articles.models import Article
from tests.browser import CHROMIUM_ARGS, CHROMIUM_PATH
from tests.factories import ArticleFactory
from tests.pageserver import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"

FAKE_SPEECH = """
(() => {
  const log = [];
  class FakeUtterance {
    constructor(text) { this.text = text; this.rate = 1; this.voice = null; this.lang = "";
                        this.onend = null; this.onerror = null; }
  }
  const synth = {
    speaking: false, pending: false, paused: false, current: null,
    getVoices() {
      return [
        { name: "Hans", lang: "de-DE", voiceURI: "hans", default: true, localService: true },
        { name: "Anna", lang: "en-GB", voiceURI: "anna", default: false, localService: true },
      ];
    },
    speak(u) {
      log.push({ op: "speak", text: u.text, rate: u.rate, voice: u.voice && u.voice.voiceURI, lang: u.lang });
      this.current = u; this.speaking = true;
    },
    pause() { log.push({ op: "pause" }); this.paused = true; },
    resume() { log.push({ op: "resume" }); this.paused = false; },
    cancel() {
      log.push({ op: "cancel" });
      const u = this.current;
      this.current = null; this.speaking = false; this.paused = false;
      if (u && u.onerror) u.onerror({ error: "interrupted" });
    },
    addEventListener() {},
  };
  window.__speech = {
    log,
    spoken() { return log.filter((e) => e.op === "speak"); },
    finish() {
      const u = synth.current;
      synth.current = null; synth.speaking = false;
      if (u && u.onend) u.onend({});
    },
  };
  Object.defineProperty(window, "speechSynthesis", { value: synth, configurable: true });
  window.SpeechSynthesisUtterance = FakeUtterance;
})();
"""

NO_SPEECH = "delete window.speechSynthesis; delete window.SpeechSynthesisUtterance;"

PARAGRAPHS = ["First paragraph is read first.", "Second paragraph follows it.", "Third and last one."]


@pytest.fixture
def launch(live_server, client, user, monkeypatch):
    """``open(init_script=None, **context_options) -> page`` logged in as ``user`` at 390x844."""
    from django.conf import settings
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        errors: list[str] = []

        def open_page(init_script: str | None = None, **options):
            context = browser.new_context(viewport={"width": 390, "height": 844}, **options)
            context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
            if init_script:
                context.add_init_script(init_script)
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
            return page

        open_page.errors = errors
        yield open_page
        browser.close()


@pytest.fixture
def article(user):
    return ArticleFactory(
        user=user,
        url="https://example.com/listen",
        status="ready",
        title="Listen to me",
        author="Ada",
        language="en",
        content_html="".join(f"<p>{p}</p>" for p in PARAGRAPHS),
    )


def _spoken(page) -> list[dict]:
    return page.evaluate("window.__speech.spoken()")


def _current(page) -> str:
    return page.evaluate("(document.querySelector('#reader-body .listen-current') || {}).textContent || ''")


def test_listen_reads_marks_pauses_changes_speed_and_saves_progress(launch, live_server, article):
    page = launch(FAKE_SPEECH)
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    play = page.locator("#listen-play")
    play.wait_for(state="visible")
    # Only the voices of the article's language are offered (plus the default).
    assert page.eval_on_selector_all("#listen-voice option", "os => os.map(o => o.value)") == ["", "anna"]

    play.click()
    assert _spoken(page)[-1]["text"] == PARAGRAPHS[0] and _spoken(page)[-1]["voice"] == "anna"
    assert _current(page) == PARAGRAPHS[0] and play.get_attribute("aria-pressed") == "true"

    page.evaluate("window.__speech.finish()")  # onend of the first paragraph
    assert _spoken(page)[-1]["text"] == PARAGRAPHS[1] and _current(page) == PARAGRAPHS[1]
    assert wait_for(lambda: Article.objects.get(pk=article.pk).progress_paragraph == 1, timeout=10)
    assert Article.objects.get(pk=article.pk).progress_percent > 0

    play.click()  # pause
    assert page.evaluate("window.__speech.log.at(-1).op") == "pause"
    assert play.get_attribute("aria-pressed") == "false"
    play.click()  # resume
    assert page.evaluate("window.__speech.log.at(-1).op") == "resume"
    assert play.get_attribute("aria-pressed") == "true"

    page.select_option("#listen-rate", "1.5")  # the paragraph again, faster
    assert _spoken(page)[-1] == {
        "op": "speak",
        "text": PARAGRAPHS[1],
        "rate": 1.5,
        "voice": "anna",
        "lang": "en-GB",
    }

    # Keyboard: "p" pauses, "]" goes to the next paragraph.
    page.locator("body").press("p")
    assert page.evaluate("window.__speech.log.at(-1).op") == "pause"
    page.locator("body").press("p")
    page.locator("body").press("]")
    assert _spoken(page)[-1]["text"] == PARAGRAPHS[2] and _current(page) == PARAGRAPHS[2]
    assert page.evaluate("navigator.mediaSession.metadata.title") == "Listen to me"
    assert page.evaluate("navigator.mediaSession.playbackState") == "playing"

    # After a reload, Listen continues at the paragraph it reached, at the chosen speed.
    page.reload()
    page.locator("#listen-play").click()
    assert _spoken(page)[-1]["text"] == PARAGRAPHS[2] and _spoken(page)[-1]["rate"] == 1.5
    page.evaluate("window.__speech.finish()")  # the last paragraph ends: the article is read
    assert wait_for(lambda: Article.objects.get(pk=article.pk).is_read, timeout=10)
    assert page.locator("#listen-play").get_attribute("aria-pressed") == "false"
    assert not launch.errors, launch.errors


def test_listen_bar_fits_a_phone(launch, live_server, article):
    page = launch(FAKE_SPEECH, has_touch=True, is_mobile=True)
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    page.locator("#listen-play").wait_for(state="visible")
    assert page.locator("#listen").is_hidden()  # the docked controls wait until listening starts
    page.locator("#listen-play").tap()
    assert _current(page) == PARAGRAPHS[0]
    page.locator("#listen").wait_for(state="visible")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for control in page.locator("#listen-play, #listen button, #listen select").all():
        box = control.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, control.evaluate("e => e.outerHTML")
    # Docked at the bottom of the screen, with room left under the article for it.
    dock = page.locator("#listen").bounding_box()
    assert dock["y"] + dock["height"] == pytest.approx(844, abs=1)
    assert page.evaluate("document.body.classList.contains('listen-docked')")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "reader-listen-phone.png"))
    page.locator("#listen-toggle").tap()
    assert page.evaluate("window.__speech.log.at(-1).op") == "pause"
    page.locator("#listen-stop").tap()
    assert page.locator("#listen").is_hidden() and _current(page) == ""


def test_no_listen_control_without_speech_synthesis(launch, live_server, article):
    page = launch(NO_SPEECH)
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    page.locator("#reader[data-restored=true]").wait_for(state="attached")
    assert page.evaluate("'speechSynthesis' in window") is False
    assert page.locator("#listen-play").is_hidden() and page.locator("#listen").is_hidden()
    assert not launch.errors, launch.errors


def test_no_listen_control_without_javascript(launch, live_server, article):
    page = launch(java_script_enabled=False)
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    assert page.locator("#listen-play").count() == 1 and page.locator("#listen-play").is_hidden()
    assert page.locator("#listen").is_hidden()
