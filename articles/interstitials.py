"""Pages that stand in front of an article: error pages, bot challenges, consent walls, login walls.

Folio must never store such a page as the article. These rules look at what a fetch brought back (the HTTP
status, the page, and what extraction found in it) and name the kind of interstitial, with a reason a person
understands. Rules are by kind (markers of challenge scripts, consent and login wording, the length of the
text), never by site. Pure: no ORM, no network.

A consent or login wording alone does not make a wall: real articles carry cookie banners and "Sign in"
links. Those two kinds count only when the article text is short (``WALL_MAX_WORDS``), i.e. when the wall is
most of what the page says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .extraction import Extraction

#: An extraction shorter than this from a fetched HTML page is "far too short" to be the article.
MIN_ARTICLE_WORDS = 25
#: Consent and login wording makes a wall only when the extracted text has at most this many words.
WALL_MAX_WORDS = 150

BOT_CHALLENGE = "bot-challenge"
CONSENT_WALL = "consent-wall"
LOGIN_WALL = "login-wall"
HTTP_ERROR = "http-error"
TOO_SHORT = "too-short"

_CHALLENGE_TITLE = re.compile(
    r"<title[^>]*>\s*(just a moment|attention required|checking your browser|please wait|"
    r"are you a (robot|human)|verify(ing)? (you are|that you are) (a )?human|human verification|"
    r"security check|access denied|one more step|ddos protection|bot (check|protection)|captcha|"
    r"pardon our interruption|request blocked|you have been blocked)",
    re.IGNORECASE,
)
_CHALLENGE_MARKUP = re.compile(
    r"cf-challenge|cf_chl_|challenge-platform|challenge-form|cf-turnstile|id=[\"']?cf-wrapper|"
    r"_incapsula_resource|captcha-delivery|px-captcha|"
    r"enable javascript and cookies to continue|checking if the site connection is secure|"
    r"verify you are human|please complete the security check|press (&amp;|&) hold",
    re.IGNORECASE,
)
#: CAPTCHA widgets also sit in comment and contact forms under real articles: on a 2xx page they count only
#: when there is next to no article text.
_CAPTCHA_WIDGET = re.compile(r"g-recaptcha|h-captcha|grecaptcha|hcaptcha\.com/1/api", re.IGNORECASE)
_CONSENT = re.compile(
    r"we value your privacy|we care about your privacy|cookie (consent|preferences|settings)|"
    r"(accept|agree to) (all )?cookies|manage (cookies|consent|preferences)|before you continue|"
    r"consent to (the use of|our use of) (cookies|your (personal )?data)|your privacy choices|"
    r"(reject|accept) all|use of cookies and similar technologies|partners (store|process) (and|or) access",
    re.IGNORECASE,
)
_LOGIN = re.compile(
    r"(sign|log) ?in to (continue|read|keep reading|view|access)|"
    r"create (a free|an) account to (continue|read)|"
    r"subscribe to (continue|keep) reading|(this|the) (article|content|story) is (only )?(available )?"
    r"(for|to) (subscribers|members|registered users)|already a (subscriber|member)\?|"
    r"you must be logged in|please (sign|log) ?in|register to (continue|read)|subscribers only",
    re.IGNORECASE,
)
_PASSWORD_FIELD = re.compile(r"<input[^>]+type\s*=\s*[\"']?password", re.IGNORECASE)


@dataclass(frozen=True)
class Interstitial:
    """What stood in front of the article: ``kind`` (a constant above) and ``reason`` (a sentence)."""

    kind: str
    reason: str


def is_bot_challenge(html: str, *, widgets: bool = True) -> bool:
    """True when ``html`` is a "checking your browser" page or carries a challenge script; with ``widgets``
    a CAPTCHA widget alone also counts."""
    head = html[:200_000]
    if _CHALLENGE_TITLE.search(head) or _CHALLENGE_MARKUP.search(head):
        return True
    return widgets and bool(_CAPTCHA_WIDGET.search(head))


def detect_error_page(status: int, html: str) -> Interstitial | None:
    """Classify an HTTP error answer (``status`` >= 400) from its page ``html`` (may be empty).

    Returns a bot challenge (any status: challenge pages come as 403, 429 or 503, and trying again does
    not help), a login wall for 401 and for 403 pages that ask to sign in, else None (the fetch error's own
    reason stands).
    """
    if is_bot_challenge(html):
        return Interstitial(
            BOT_CHALLENGE,
            f"The site answered with a bot check ({status}) instead of the article; Folio cannot pass it.",
        )
    if status == 401 or (status == 403 and (_LOGIN.search(html) or _PASSWORD_FIELD.search(html))):
        return Interstitial(LOGIN_WALL, f"The site asks to sign in before it shows the article ({status}).")
    return None


def detect_page(html: str, extraction: Extraction | None) -> Interstitial | None:
    """Classify a fetched HTML page answered with 2xx, given what extraction found (None: nothing).

    Order: bot challenge; then, on a short extraction, consent wall and login wall; then an empty or far
    too short extraction (fewer than MIN_ARTICLE_WORDS words). Returns None for an article.
    """
    words = extraction.word_count if extraction is not None else 0
    if words < WALL_MAX_WORDS and is_bot_challenge(html, widgets=words < MIN_ARTICLE_WORDS):
        return Interstitial(BOT_CHALLENGE, "The site showed a bot check instead of the article.")
    text = extraction.text if extraction is not None else ""
    if words <= WALL_MAX_WORDS:
        page_head = html[:300_000]
        if _CONSENT.search(text) or (words < MIN_ARTICLE_WORDS and _CONSENT.search(page_head)):
            return Interstitial(
                CONSENT_WALL, "The site showed a cookie or privacy consent page instead of the article."
            )
        if _LOGIN.search(text) or (
            words < MIN_ARTICLE_WORDS and (_LOGIN.search(page_head) or _PASSWORD_FIELD.search(page_head))
        ):
            return Interstitial(
                LOGIN_WALL, "The site asks to sign in or subscribe before it shows the article."
            )
    if extraction is None or words == 0:
        return Interstitial(TOO_SHORT, "Folio could not find an article on this page.")
    if words < MIN_ARTICLE_WORDS:
        return Interstitial(
            TOO_SHORT, f"Folio found only {words} words on this page, too few to be the article."
        )
    return None
