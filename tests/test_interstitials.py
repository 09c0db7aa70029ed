"""Interstitials are never stored as the article: each kind ends ``failed`` with its reason and the
bookmarklet
hint, through the same article_process the worker runs; real articles with banners stay ``ready``."""

import pytest

from articles import interstitials, services
from articles.extraction import Extraction
from articles.models import Article
from tests.pageserver import SEED_DIR

pytestmark = pytest.mark.django_db

PROSE = " ".join(
    ["Rivers shape the towns that grow beside them, and the towns reshape the rivers in turn."] * 12
)


def _process(user, url):
    article, _ = services.article_save_url(origin="form", user=user, url=url)
    status = services.article_process(article_id=article.pk)
    article.refresh_from_db()
    assert status == article.status
    return article


def _assert_failed(article, *phrases):
    assert article.status == Article.Status.FAILED
    assert article.content_html == "" and article.content_text == ""
    for phrase in phrases:
        assert phrase in article.failure_reason, article.failure_reason
    assert "bookmarklet" in article.failure_reason


CHALLENGES = {
    "title": "<html><head><title>Just a moment...</title></head><body><noscript>Enable JavaScript</noscript>"
    "</body></html>",
    "script": '<html><head><title>example</title></head><body><div id="challenge-form"></div>'
    '<script src="/cdn-cgi/challenge-platform/h/b/orchestrate/jsch/v1"></script></body></html>',
    "captcha": "<html><head><title>Security check</title></head>"
    '<body><div class="g-recaptcha"></div></body></html>',
    "wording": "<html><body><h1>Checking if the site connection is secure</h1>"
    "<p>Enable JavaScript and cookies to continue</p></body></html>",
}


@pytest.mark.parametrize("status", [200, 403, 429, 503])
@pytest.mark.parametrize("kind", sorted(CHALLENGES))
def test_bot_challenge_fails_without_retry(user, page_server, status, kind):
    url = page_server.add(f"/challenge-{kind}-{status}", CHALLENGES[kind], status=status)
    article = _process(user, url)  # no FetchTemporaryError even for 429/503: a retry meets the same check
    _assert_failed(article, "bot check")
    assert article.attempts == 1


CONSENT_PAGE = """<html><head><title>Before you continue</title></head><body>
<h1>We value your privacy</h1>
<p>We and our partners store and access information on your device, such as cookies, and process personal data
to personalise content.</p>
<button>Accept all</button> <button>Reject all</button> <a href="/prefs">Manage preferences</a>
</body></html>"""


def test_consent_wall_fails(user, page_server):
    article = _process(user, page_server.add("/consent", CONSENT_PAGE))
    _assert_failed(article, "consent")


LOGIN_PAGE = """<html><head><title>Sign in</title></head><body><article><h1>The river report</h1>
<p>Subscribe to continue reading. Already a subscriber? Sign in below.</p>
<form action="/login" method="post"><input name="user"><input type="password" name="pw"></form>
</article></body></html>"""


def test_login_wall_fails(user, page_server):
    article = _process(user, page_server.add("/login-wall", LOGIN_PAGE))
    _assert_failed(article, "sign in")


def test_401_is_a_login_wall(user, page_server):
    article = _process(
        user, page_server.add("/members-only", "<html><body>Unauthorized</body></html>", status=401)
    )
    _assert_failed(article, "sign in", "401")


def test_403_login_page_is_a_login_wall(user, page_server):
    article = _process(user, page_server.add("/forbidden-login", LOGIN_PAGE, status=403))
    _assert_failed(article, "sign in")


def test_plain_403_keeps_the_status_reason(user, page_server):
    article = _process(
        user, page_server.add("/forbidden", "<html><body><h1>Forbidden</h1></body></html>", status=403)
    )
    _assert_failed(article, "403 Forbidden")


def test_404_page_is_not_stored(user, page_server):
    article = _process(user, page_server.url("/nothing-here"))
    _assert_failed(article, "404 Not Found")


def test_5xx_after_last_attempt_fails_with_hint(user, page_server, settings):
    settings.FOLIO_MAX_ATTEMPTS = 1
    article = _process(user, page_server.add("/always-500", "<html><body>Oops</body></html>", status=500))
    _assert_failed(article, "500 Internal Server Error", "tried 1 times")


def test_far_too_short_extraction_fails(user, page_server):
    html = (
        "<html><body><article><h1>Teaser</h1><p>Rivers shape towns. Read on in our app.</p></article></body>"
    )
    article = _process(user, page_server.add("/teaser", html))
    # Depending on what the extractor keeps, the check on its length or the extractor itself refuses it.
    _assert_failed(article, "bookmarklet")
    assert "too few to be the article" in article.failure_reason or "could not find an article" in (
        article.failure_reason
    )


@pytest.mark.parametrize("html", ["", "<html><head><title>x</title></head><body></body></html>", "   "])
def test_empty_page_fails(user, page_server, html):
    article = _process(user, page_server.add("/empty", html))
    _assert_failed(article, "could not find an article")


def test_article_with_cookie_banner_and_sign_in_link_is_stored(user, page_server):
    seed = (SEED_DIR / "voz-russia-taliban.html").read_text()
    banner = (
        '<div class="cookie-banner">We value your privacy. <button>Accept all cookies</button></div>'
        '<a href="/login">Please sign in</a><div class="g-recaptcha"></div>'
    )
    assert "</body>" in seed
    html = seed.replace("</body>", banner + "</body>")
    article = _process(user, page_server.add("/article-with-banner", html))
    assert article.status == Article.Status.READY, article.failure_reason
    assert "Russian Prosecutor General" in article.content_text


def test_short_but_real_article_is_stored(user, page_server):
    html = f"<html><head><title>Rivers</title></head><body><article><p>{PROSE}</p></article></body></html>"
    article = _process(user, page_server.add("/short-real", html))
    assert article.status == Article.Status.READY, article.failure_reason


def test_page_sent_by_the_browser_is_not_second_guessed(user):
    """The bookmarklet is the way past walls: the page as the browser shows it is stored even if short."""
    html = "<html><body><article><p>A short note the person chose to keep, about rivers and the towns beside them.</p></article></body></html>"
    article, _ = services.article_save_page(
        origin="bookmarklet", user=user, url="https://example.com/note", html=html
    )
    assert services.article_process(article_id=article.pk) == Article.Status.READY


# --- the rules on their own ------------------------------------------------------------------------------


def _extraction(text):
    return Extraction(html=f"<p>{text}</p>", text=text, word_count=len(text.split()))


def test_rules_name_the_kind():
    assert interstitials.detect_page(CHALLENGES["title"], None).kind == interstitials.BOT_CHALLENGE
    assert (
        interstitials.detect_page(CONSENT_PAGE, _extraction("We value your privacy")).kind == "consent-wall"
    )
    assert (
        interstitials.detect_page(LOGIN_PAGE, _extraction("Subscribe to continue reading.")).kind
        == "login-wall"
    )
    assert interstitials.detect_page("<p>x</p>", _extraction("Too short")).kind == interstitials.TOO_SHORT
    assert interstitials.detect_page("<p>x</p>", None).kind == interstitials.TOO_SHORT
    assert interstitials.detect_page("<p>x</p>", _extraction(PROSE)) is None
    assert interstitials.detect_error_page(404, "<h1>Not found</h1>") is None
    assert interstitials.detect_error_page(503, CHALLENGES["script"]).kind == interstitials.BOT_CHALLENGE
    assert interstitials.detect_error_page(401, "").kind == interstitials.LOGIN_WALL


def test_long_article_quoting_wall_wording_is_not_a_wall():
    text = PROSE * 3 + " The site said: subscribe to continue reading, and we value your privacy."
    assert interstitials.detect_page(f"<p>{text}</p>", _extraction(text)) is None


@pytest.mark.parametrize(
    "page_id",
    [
        "f6ac15a4d985",  # a short news item with a reCAPTCHA comment form under it
        "ef4e67b66d63",  # an IE-only <meta refresh> in a conditional comment
    ],
)
def test_corpus_pages_with_wall_lookalikes_are_stored(user, page_server, page_id):
    from tests.pageserver import CORPUS_DIR

    name = next((CORPUS_DIR / "html").glob(f"{page_id}*.html.gz")).name.removesuffix(".gz")
    article = _process(user, page_server.url(f"/corpus/{name}"))
    assert article.status == Article.Status.READY, article.failure_reason
