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

If a check fails, what trafilatura's full mode adds runs on the fast result: its comparison with its
readability port and jusText (fast mode drops lead paragraphs, second halves of bodies split around an
advertisement, and returns teaser cards on some layouts), and, for a result still short, its recall-mode
retry and jusText (``_recall_escalation``). The two candidates are compared (``better``):
the nearer one to the page's JSON-LD ``articleBody`` when the page gives one (4-word shingle F1, the corpus
scorer's unit), otherwise the full-mode result wins only when it repairs the failed checks without
becoming link-dense or a page-wide merge, or when the fast result is a fragment and the other passes
every check. Scores go into ``log["scores"]``.

readability-lxml used to run as a third candidate: on the second development corpus it changed F1 by
0.000 (it helped scrapinghub-aeb only, by 0.004) and cost 6 % of the run, so it no longer does.
"""

from __future__ import annotations

import re
from collections import Counter
from copy import deepcopy

import lxml.html
from lxml import etree

from .cleanup import link_density
from .metadata import PageMetadata
from .parser import html_parser
from .text import count_words, html_to_text, words

SHORT_WORDS = 80
LINK_DENSE = 0.35
BODY_AGREEMENT = 0.9
MISSED_PROSE = 0.8
MIN_FALLBACK_WORDS = 25
#: A candidate over this many times the page's prose words (plus PAGE_MERGE_SLACK) holds more than one
#: article or the whole page (bug-log A52: a readability result merging two articles).
PAGE_MERGE = 1.5
PAGE_MERGE_SLACK = 100
#: Results shorter than this many characters are extracted again in recall mode (``_recall_escalation``).
ESCALATION_MAX_LENGTH = 1500


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


def trafilatura_run(tree: etree._Element) -> tuple[etree._Element | None, str]:
    """trafilatura's fast-mode cascade on ``tree``: ``(body, text)`` in trafilatura's XML, or
    ``(None, "")``.

    Calls ``trafilatura_sequence`` directly on the parsed tree, which skips what ``bare_extraction``
    adds and Folio does not use (a copy of the tree, the plain-text rendering); ``bare_extraction`` is
    the fallback should that helper change. The cascade prunes infinite-scroll and comment containers of
    ``tree`` in place (harmless to the later steps).
    """
    options = _trafilatura_options(True)
    try:
        from trafilatura.core import trafilatura_sequence

        body, text, _comments, _comments_text = trafilatura_sequence(tree, options)
    except (ImportError, TypeError, ValueError):
        from trafilatura.core import bare_extraction

        document = bare_extraction(tree, options=options)
        if document is None or isinstance(document, dict) or document.body is None:  # as_dict is off
            return None, ""
        body, text = document.body, document.raw_text or ""
    if body is None or len(text) < options.min_output_size:
        return None, ""
    return body, text


def trafilatura_full(tree: etree._Element, fast_body, fast_text: str) -> etree._Element | None:
    """What trafilatura's full mode adds to its fast result: its comparison with its readability port
    and jusText (``trafilatura.external.compare_extraction``), run on the fast result instead of running
    the whole cascade again. Returns an HTML ``<div>`` or None."""
    from copy import copy

    from trafilatura.external import compare_extraction
    from trafilatura.htmlprocessing import tree_cleaning

    options = _trafilatura_options(False)
    body = deepcopy(fast_body) if fast_body is not None else etree.Element("body")
    try:
        body, text = compare_extraction(
            tree_cleaning(copy(tree), options), copy(tree), body, fast_text, options
        )
        body, _text = _recall_escalation(tree, body, text, options)
    except (TypeError, ValueError):
        return None
    return to_html(body)


def _recall_escalation(tree: etree._Element, body, text: str, options) -> tuple:
    """trafilatura's full-mode stage 4 (``trafilatura.core.trafilatura_sequence``, 2.3): a short result
    holding under ``ESCALATION_PAGE_SHARE`` of the page's text is extracted again in recall mode, and by
    jusText; the longer one replaces it when it is ``ESCALATION_ACCEPT_RATIO`` (jusText:
    ``ESCALATION_JUSTEXT_RATIO``) times as long. Folio's fast run does the recall retry without the
    comparison and without jusText, which is what the full mode adds here: a body split over several
    containers, of which only the first block is found otherwise (corpus2: a 129-word result of a
    930-word article). "Short" is under ESCALATION_MAX_LENGTH characters, half trafilatura's 3,000:
    on results of about 480 words, jusText returned the whole page with its teasers (2 pages of corpus2).

    Returns ``(body, text)``, unchanged when the result is long enough or trafilatura's helpers moved
    (``ImportError``, no ``_recall_retry``)."""
    try:
        from trafilatura import core as tcore
        from trafilatura.baseline import html2txt
        from trafilatura.external import justext_rescue
    except ImportError:
        return body, text
    retry = getattr(tcore, "_recall_retry", None)
    if retry is None or not 0 < len(text) < ESCALATION_MAX_LENGTH:
        return body, text
    if len(text) >= tcore.ESCALATION_PAGE_SHARE * len(html2txt(tree)):
        return body, text
    from copy import copy

    recall_options = copy(options)
    recall_options.focus = "recall"
    recall_body, recall_text = retry(tree, recall_options, None)
    justext_body, justext_text = justext_rescue(copy(tree), options)
    length, recall_length, justext_length = len(text), len(recall_text), len(justext_text)
    if justext_length > recall_length and justext_length > tcore.ESCALATION_JUSTEXT_RATIO * length:
        return justext_body, justext_text
    if recall_length >= options.min_extracted_size and recall_length > tcore.ESCALATION_ACCEPT_RATIO * length:
        return recall_body, recall_text
    return body, text


def to_html(body) -> etree._Element | None:
    """trafilatura's XML body as an HTML ``<div>`` of lxml.html elements, or None when empty."""
    from trafilatura.htmlprocessing import convert_to_html

    if body is None or not len(body):
        return None
    html = convert_to_html(body)
    root = html.find("body") if html.tag == "html" else html
    root = root if root is not None else html
    div = lxml.html.Element("div")
    div.text = root.text
    for child in list(root):
        div.append(child)
    return lxml.html.fromstring(etree.tostring(div, encoding="unicode"), parser=html_parser())


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


_PROSE_PARAGRAPHS = etree.XPath(
    "//body//p[not(ancestor::nav or ancestor::aside or ancestor::footer"
    " or ancestor::*[contains(@class, 'comment') or contains(@id, 'comment')])]"
)


def paragraph_words(tree: etree._Element) -> int:
    """Words in the page's prose paragraphs: ``<p>`` elements of 12 words or more, outside navigation,
    asides, footers and comment threads (whose prose is not the article's)."""
    total = 0
    for paragraph in _PROSE_PARAGRAPHS(tree):
        count = count_words(paragraph.text_content())
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
    count = len(words(text))
    lines = sum(1 for line in body.text_content().splitlines() if line.strip())
    return {
        "menu_like": lines >= 30 and count < 3 * lines,
        "words": count,
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
    # Under SHORT_WORDS, main is no article at all: a clean candidate twice its size wins even if it
    # still leaves some of the page's prose out (an index page's teasers; corpus2, 1 page).
    fragment = (
        bool({"too short", "prose left out"} & set(problems))
        and (not other_problems or ("too short" in problems and other_problems == ["prose left out"]))
        and ratio >= 2
        and not merged
    )
    return bool(clean and (superset or lead_fixed or fewer or junk or fragment))


def best_candidate(tree: etree._Element, url: str, meta: PageMetadata, log: dict) -> etree._Element | None:
    """The best article body of ``tree`` as an HTML ``<div>``; fills ``log`` with the decision."""
    reference = meta.article_body if len(words(meta.article_body)) >= 50 else ""
    prose_words = paragraph_words(tree)
    log["scores"]["page"] = {"prose_words": prose_words, "article_body_words": len(words(reference))}

    def score(name: str, body: etree._Element | None) -> dict:
        features = _features(body, lead, reference)
        log["scores"][name] = {k: v for k, v in features.items() if k != "text"}
        return features

    lead = None  # the description's first words; looked up in the page only when a check fails
    fast_body, fast_text = trafilatura_run(tree)
    best_name, best = "trafilatura", to_html(deepcopy(fast_body) if fast_body is not None else None)
    best_features = score("trafilatura", best)
    problems = _problems(best_features, lead, reference, prose_words)
    if problems:
        body_element = tree.find("body")
        lead = _lead_pattern(meta, body_element.text_content() if body_element is not None else "")
        best_features["lead"] = bool(lead and lead.search(best_features["text"]))
    log["warnings"].extend(_warnings(best_features, lead, reference))
    if problems:
        name = "trafilatura-full"
        log["fallbacks"].append({"extractor": name, "because": problems})
        other = trafilatura_full(tree, fast_body, fast_text)
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
            best_name, best = name, other
    log["extractor"] = best_name
    return best
