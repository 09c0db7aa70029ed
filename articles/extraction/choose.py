"""Candidate article bodies and the choice between them.

trafilatura (Barbaresi 2021) runs first, in fast mode with comments off and without images (the images
of the main content are put back by position afterwards, see ``images``). Its result is checked:

- ``too short``: under SHORT_WORDS words;
- ``link-dense``: more than LINK_DENSE of its characters inside links;
- ``menu-like``: thirty lines or more of under three words on average (a menu or a list of links as text);
- ``prose left out``: it holds under MISSED_PROSE of the words of the page's prose paragraphs.

Two more signs are recorded as warnings only: ``missing lead`` (the page's description opens a paragraph of
the page but not of the result) and ``far from articleBody`` (the page's JSON-LD ``articleBody`` is given
and the result's 4-word shingles match it with F1 under BODY_AGREEMENT); they decide between candidates.

If a check fails, trafilatura runs again in full mode (its own comparison with its readability port and
jusText, and without the teaser blocks fast mode keeps when it recovers text): fast mode drops lead
paragraphs, second halves of bodies split around an advertisement, and returns teaser cards on some
layouts. If the full result fails a check too, readability-lxml (a port of Arc90 Readability) runs on the
same parsed page. The candidates are compared pairwise (``better``): the nearer one to the page's JSON-LD
``articleBody`` when the page gives one (4-word shingle F1, the corpus scorer's unit), otherwise the other
candidate wins only when it repairs the failed checks without becoming link-dense or a page-wide merge.
Scores go into ``log["scores"]``.
"""

from __future__ import annotations

import re
from collections import Counter
from copy import deepcopy

import lxml.html
from lxml import etree

from .cleanup import link_density
from .metadata import PageMetadata
from .text import html_to_text, words

SHORT_WORDS = 80
LINK_DENSE = 0.35
BODY_AGREEMENT = 0.9
MISSED_PROSE = 0.8
MIN_FALLBACK_WORDS = 25
#: A candidate over this many times the page's prose words (plus PAGE_MERGE_SLACK) holds more than one
#: article or the whole page (bug-log A52: readability merging two articles).
PAGE_MERGE = 1.5
PAGE_MERGE_SLACK = 100


def _trafilatura_options(fast: bool):
    from trafilatura.settings import Extractor

    return Extractor(
        output_format="python",
        fast=fast,
        comments=False,
        formatting=True,
        links=True,
        images=False,
        tables=True,
        url=None,  # links are made absolute by structure.absolutize against the page's base
    )


def trafilatura_body(tree: etree._Element, *, fast: bool) -> etree._Element | None:
    """trafilatura's main content of ``tree`` as an HTML ``<div>``, or None.

    Runs trafilatura's extraction cascade (``trafilatura_sequence``) directly on the parsed tree, which
    skips what ``bare_extraction`` adds and Folio does not use (a copy of the tree, the plain-text
    rendering); ``bare_extraction`` is the fallback should that helper change. The cascade prunes
    infinite-scroll and comment containers of ``tree`` in place (harmless to the later steps).
    """
    from trafilatura.htmlprocessing import convert_to_html

    options = _trafilatura_options(fast)
    try:
        from trafilatura.core import trafilatura_sequence

        body, text, _comments, _comments_text = trafilatura_sequence(tree, options)
        if len(text) < options.min_output_size:
            return None
    except (ImportError, TypeError, ValueError):
        from trafilatura.core import bare_extraction

        document = bare_extraction(tree, options=options)
        body = document.body if document is not None else None
    if body is None or not len(body):
        return None
    html = convert_to_html(body)
    root = html.find("body") if html.tag == "html" else html
    root = root if root is not None else html
    div = lxml.html.Element("div")
    div.text = root.text
    for child in list(root):
        div.append(child)
    return lxml.html.fromstring(etree.tostring(div, encoding="unicode"))


def readability_body(tree: etree._Element) -> etree._Element | None:
    """readability-lxml's main content of ``tree`` (not modified) as an HTML ``<div>``, or None.

    readability parses and cleans the page itself (lxml_html_clean, the slowest part of a run); the page is
    parsed already and hidden elements are gone, so Folio hands it a copy with scripts, styles and embeds
    stripped instead.
    """
    from readability import Document

    class _ParsedDocument(Document):
        def _parse(self, input):
            self.encoding = "utf-8"
            return input

    page = deepcopy(tree)
    etree.strip_elements(
        page,
        "script",
        "style",
        "noscript",
        "iframe",
        "object",
        "embed",
        "template",
        etree.Comment,
        with_tail=False,
    )
    try:
        html = _ParsedDocument(page).summary(html_partial=True)
    except Exception:  # readability raises Unparseable and assorted errors on odd pages
        return None
    if not html:
        return None
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (AssertionError, etree.ParserError, ValueError):  # a page without a <body> at all
        return None
    # Flatten readability's wrapper <div>s so clean-up sees the paragraphs as children.
    while (
        len(root) == 1
        and root[0].tag in ("div", "article", "section", "body")
        and not (root.text or "").strip()
    ):
        inner = root[0]
        root.remove(inner)
        root.text = inner.text
        for child in list(inner):
            root.append(child)
    return root


def shingles(tokens: list[str], size: int = 4) -> Counter:
    """Multiset of ``size``-token runs of ``tokens`` (the whole list if shorter)."""
    if len(tokens) < size:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1))


def agreement(candidate: str, reference: str) -> float:
    """F1 of the 4-word shingles of ``candidate`` against ``reference`` (0 to 1)."""
    a, b = shingles(words(candidate)), shingles(words(reference))
    shared = sum((a & b).values())
    if not shared:
        return 0.0
    precision, recall = shared / sum(a.values()), shared / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def _lead_pattern(meta: PageMetadata, page_text: str) -> re.Pattern | None:
    """A pattern for the first words of the description when the page's text also holds them."""
    lead = words(meta.description)[:7]
    if len(lead) < 6:
        return None
    pattern = re.compile(r"\W+".join(re.escape(w) for w in lead), re.IGNORECASE)
    return pattern if pattern.search(page_text) else None


def paragraph_words(tree: etree._Element) -> int:
    """Words in the page's prose paragraphs: ``<p>`` elements of 12 words or more, outside links."""
    total = 0
    for paragraph in tree.iterfind(".//body//p"):
        count = len(words(paragraph.text_content()))
        if count >= 12:
            total += count
    return total


def _features(body: etree._Element | None, lead: re.Pattern | None, reference: str) -> dict:
    if body is None:
        return {
            "words": 0,
            "link_density": 0.0,
            "lead": False,
            "agreement": 0.0,
            "text": "",
            "menu_like": False,
        }
    text = html_to_text(body, captions=False)
    lines = [line for line in body.text_content().splitlines() if line.strip()]
    return {
        "menu_like": len(lines) >= 30 and len(words(text)) < 3 * len(lines),
        "words": len(words(text)),
        "link_density": round(link_density(body), 3),
        "lead": bool(lead and lead.search(text)),
        "agreement": round(agreement(text, reference), 3) if reference else None,
        "text": text,
    }


def _problems(features: dict, lead: re.Pattern | None, reference: str, prose_words: int) -> list[str]:
    problems = []
    if features["words"] < SHORT_WORDS:
        problems.append("too short")
    if features["link_density"] > LINK_DENSE:
        problems.append("link-dense")
    if features["menu_like"]:
        problems.append("menu-like")
    if features["words"] < MISSED_PROSE * prose_words:
        problems.append("prose left out")
    return problems


def containment(inner: str, outer: str) -> float:
    """Share of the 4-word shingles of ``inner`` that ``outer`` also holds (0 to 1)."""
    a, b = shingles(words(inner)), shingles(words(outer))
    total = sum(a.values())
    return sum((a & b).values()) / total if total else 0.0


def _warnings(features: dict, lead: re.Pattern | None, reference: str) -> list[str]:
    """Signs worth showing that do not on their own justify a second extractor (measured on the corpus:
    running readability for them changed no page's choice)."""
    found = []
    if lead and not features["lead"]:
        found.append("missing lead")
    if reference and features["agreement"] < BODY_AGREEMENT:
        found.append("far from articleBody")
    return found


def better(
    main: dict, other: dict, *, problems: list[str], lead, reference: str, prose_words: int, scores: dict
) -> bool:
    """Whether candidate ``other`` should replace ``main`` (which failed ``problems``); both are feature
    dicts of ``_features``. Records the containment of ``main`` in ``other`` in ``scores``."""
    if not other["words"]:
        return False
    if reference:
        return other["agreement"] > main["agreement"] + 0.02
    if not main["words"]:
        return other["words"] >= MIN_FALLBACK_WORDS
    grows = containment(main["text"], other["text"])
    scores["holds_main"] = round(grows, 3)
    clean = other["link_density"] <= 0.2 and not other["menu_like"]
    ratio = other["words"] / main["words"]
    merged = prose_words and other["words"] > PAGE_MERGE * prose_words + PAGE_MERGE_SLACK
    other_problems = _problems(other, lead, reference, prose_words)
    # the other found the same article and more of it (a body split over several containers).
    superset = grows >= 0.9 and ratio >= 1.15 and not merged
    # the other has the lead paragraph main left out, and little else.
    lead_fixed = lead and other["lead"] and not main["lead"] and grows >= 0.8 and ratio <= 1.6
    # the other passes more of the checks, and is not much shorter or a page-wide merge.
    fewer = len(other_problems) < len(problems) and 0.8 <= ratio <= 3 and not merged
    # main returned a block of links (a menu, a teaser list) rather than prose.
    junk = main["link_density"] > 0.5 or (main["menu_like"] and not other["menu_like"])
    # main is a fragment (too short, or most prose left out) and the other passes every check: the
    # whole clean article even when it does not contain the fragment (a teaser block, bug-log kind 2).
    fragment = (
        bool({"too short", "prose left out"} & set(problems))
        and not other_problems
        and ratio >= 2
        and not merged
    )
    return bool(clean and (superset or lead_fixed or fewer or junk or fragment))


def best_candidate(tree: etree._Element, url: str, meta: PageMetadata, log: dict) -> etree._Element | None:
    """The best article body of ``tree`` as an HTML ``<div>``; fills ``log`` with the decision."""
    reference = meta.article_body if len(words(meta.article_body)) >= 50 else ""
    body_element = tree.find("body")
    page_text = body_element.text_content() if body_element is not None else ""
    lead = _lead_pattern(meta, page_text)
    prose_words = paragraph_words(tree)
    log["scores"]["page"] = {"prose_words": prose_words, "article_body_words": len(words(reference))}

    def score(name: str, body: etree._Element | None) -> dict:
        features = _features(body, lead, reference)
        log["scores"][name] = {k: v for k, v in features.items() if k != "text"}
        return features

    best_name, best = "trafilatura", trafilatura_body(tree, fast=True)
    best_features = score("trafilatura", best)
    problems = _problems(best_features, lead, reference, prose_words)
    log["warnings"].extend(_warnings(best_features, lead, reference))
    for name, make in (
        ("trafilatura-full", lambda: trafilatura_body(tree, fast=False)),
        ("readability", lambda: readability_body(tree)),
    ):
        if not problems:
            break
        log["fallbacks"].append({"extractor": name, "because": problems})
        other = make()
        other_features = score(name, other)
        if other is not None and better(
            best_features,
            other_features,
            problems=problems,
            lead=lead,
            reference=reference,
            prose_words=prose_words,
            scores=log["scores"][name],
        ):
            best_name, best, best_features = name, other, other_features
            problems = _problems(best_features, lead, reference, prose_words)
    log["extractor"] = best_name
    return best
