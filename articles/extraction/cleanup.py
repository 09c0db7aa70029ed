"""Clean-up of an extracted article body (an lxml ``<div>`` of block elements), in place.

Each rule removes one kind of page furniture that extractors let through, and records what it removed
in the extraction log. No rule names a site; all work on text shape, position and link density:

- the headline repeated as a heading at the top, and the lead image repeated at the top;
- bylines, timestamps, reading times and "updated" lines among the first blocks;
- the same paragraph twice (a standfirst repeated as the first paragraph, a duplicated teaser);
- stand-alone link lines (inline "read also" teasers) anywhere in the body;
- calls to action and furniture at the edges: newsletter, share, follow, "found a mistake", paywall,
  copyright, reprints, tags; a "related stories" / "top stories" heading at the end and what follows it.
"""

from __future__ import annotations

import re
import unicodedata

from lxml import etree

from .text import count_words, normalize_space, remove_element

#: Short lines that end (or start) an article body but are not part of it: calls to action and page
#: furniture. Matched only on short edge blocks (EDGE_MAX_WORDS), never inside a body.
EDGE_BOILERPLATE = re.compile(
    r"""(
        found\s+(a|an)\s+(mistake|error|typo) | report\s+(a|an)\s+(mistake|error|typo|correction)
      | spotted\s+(a|an)\s+(mistake|error|typo) | contact\s+us | get\s+in\s+touch
      | sign\s+up | subscribe | newsletter | follow\s+(us|him|her|them|@) | share\s+(this|on|via)
      | click\s+here
      | all\s+rights\s+reserved | © | \(c\)\s*\d{4} | copyright\s+(\d{4}|©) | read\s+more\b
      | related\s+(articles|stories|coverage|content|posts|links|topics) | (more|top|latest)\s+(stories|news)
      | (download|get)\s+(our|the)\s+app | support\s+(our|independent)\s+journalism | advertisement
      | already\s+a\s+(subscriber|member) | (log|sign)\s+in\s+to | to\s+continue\s+reading | paywall
      | (order|buy)\s+reprints | print\s+(this\s+)?article | originally\s+(appeared|published)\s+(on|in|at)
      | ^\s*(tags|topics|filed\s+under|categories|related|see\s+also|also\s+read|read\s+also|more\s+on)\b\s*:?
      | (leave|post|add)\s+a\s+comment | join\s+the\s+(conversation|discussion) | comments?\s*\(\d+\)
      | ^\s*\d+\s+comments?\s*$ | you\s+(may|might)\s+also\s+like | recommended\s+(for\s+you|stories|reading)
      | most\s+(popular|read|viewed) | editor'?s\s+picks | don'?t\s+miss | must\s+read | watch\s+next
      | (story|article)\s+continues\s+below | this\s+(story|article)\s+(is|was)\s+(from|provided)
      | (photo|image|picture|video)\s*(credit)?\s*:\s | ^\s*(source|credit|via)\s*:\s | getty\s+images
      | terms\s+(of\s+(use|service)|and\s+conditions) | privacy\s+policy | cookie
      # German, French, Spanish, Italian, Portuguese, Polish
      | alle\s+rechte\s+vorbehalten | tous\s+droits\s+r[ée]serv[ée]s | todos\s+los\s+derechos\s+reservados
      | tutti\s+i\s+diritti\s+riservati | todos\s+os\s+direitos\s+reservados | wszelkie\s+prawa\s+zastrze[żz]one
      | (jetzt\s+)?abonnieren | abonnez-vous | suscr[íi]bete | iscriviti | assine | zapisz\s+si[ęe] | zaprenumeruj
      | ^\W*(teilen|partager|compartir|condividi|compartilhar|udost[ęe]pnij)\b
      | ^\W*(anzeige|werbung|publicit[ée]|publicidad|pubblicit[àa]|publicidade|reklama)\W*$
      | (mehr|weitere)\s+(zum\s+thema|artikel|nachrichten) | das\s+k[öo]nnte\s+sie\s+(auch\s+)?interessieren
      | meist\s*gelesen | lesen\s+sie\s+(auch|mehr) | auch\s+interessant | kommentare?\s*\(\d+\)
      | (à\s+)?lire\s+aussi | sur\s+le\s+m[êe]me\s+sujet | les\s+plus\s+lus | articles?\s+similaires
      | temas\s+relacionados | te\s+puede\s+interesar | lo\s+m[áa]s\s+le[íi]do | noticias\s+relacionadas
      | lee\s+tambi[ée]n | leggi\s+anche | potrebbe(ro)?\s+interessarti | i\s+pi[ùu]\s+letti | articoli\s+correlati
      | leia\s+tamb[ée]m | veja\s+tamb[ée]m | mais\s+lidas | not[íi]cias\s+relacionadas
      | czytaj\s+(te[żz]|tak[żz]e|wi[ęe]cej) | zobacz\s+(te[żz]|tak[żz]e) | najcz[ęe][śs]ciej\s+czytane | polecamy
      | ^\s*(bild|quelle|foto|fotos|photo|cr[ée]dits?|cr[ée]dito|fuente|imagen|fonte|[źz]r[óo]d[łl]o|fot)\s*:
    )""",
    re.IGNORECASE | re.VERBOSE,
)
EDGE_MAX_WORDS = 18

#: Longer closing lines that are never article prose: contributor notes, contact lines, reprint notices,
#: membership pitches, citations. Matched on edge blocks of up to STRONG_MAX_WORDS words.
EDGE_STRONG = re.compile(
    r"""(
        [\w.+-]+@[\w-]+\.[\w.]+ | contributed\s+(to\s+)?(this\s+)?(report|reporting|story)
      | ^\W*(additional\s+)?reporting\s+by | \bediting\s+by\b
      | if\s+you\s+(enjoyed|liked|value|appreciate)\s+this
      | this\s+copy\s+is\s+for\s+your\s+personal | (sign\s+up|subscribe)\s+(for|to|now|today)
      | follow\s+\S+(\s+\S+)?\s+on\s+(twitter|facebook|instagram|x\b) | ^\W*citation\s*: | \bretrieved\s+\d
      | ^\W*note\s*:\s*we\s+are | have\s+a\s+tip | may\s+(earn|get|receive)\s+a
      | (full|more)\s+coverage\s+(of|at) | ^\W*listen\s+to\b
      | comments?\s+(with|that|which)\s+.*(approved|moderat)
      | (about|more\s+about)\s+the\s+author
      | is\s+headquartered\s+in | for\s+more\s+information,?\s+(visit|contact|see)
      | (comments?|coment[aá]rios?|kommentare?)\b.*\b(approv|aprovad|moderat|moderad)
      | an\s+error\s+has\s+occurred | there\s+was\s+an\s+error | ^\W*(share|tweet|email|print)\W*$
    )""",
    re.IGNORECASE | re.VERBOSE,
)
STRONG_MAX_WORDS = 60

#: A teaser line to another article inside a body: a label then a headline, or a headline then a tag.
TEASER = re.compile(
    r"^\W*(read\s+more|see\s+more|read\s+also|also\s+read|related|also\s+on\s+\S+|more|watch|listen|see\s+also"
    r"|recommended|trending|top\s+story|must\s+read|don'?t\s+miss"
    r"|lesen\s+sie\s+(auch|mehr)|mehr\s+(dazu|zum\s+thema)|auch\s+interessant|siehe\s+auch"
    r"|(à\s+)?lire\s+(aussi|également)|voir\s+aussi|lee\s+tambi[ée]n|leer\s+m[áa]s|ver\s+tambi[ée]n"
    r"|leggi\s+anche|vedi\s+anche|leia\s+tamb[ée]m|veja\s+tamb[ée]m|czytaj\s+(te[żz]|tak[żz]e)"
    r"|zobacz\s+(te[żz]|tak[żz]e))\s*(:|\||\u2013|\u2014|-|»)\s*\S"
    r"|(?-i:\[[A-Z][A-Z ]{2,20}\])\W*$|^\W*\[related",
    re.IGNORECASE,
)
_BARE_URL = re.compile(r"^\s*(https?://|www\.)\S+\s*$")

#: A heading that opens a block of links to other articles; it and what follows it end the body.
RELATED_HEADING = re.compile(
    r"^\s*(related|related\s+(articles?|stories|coverage|content|posts|reading|news|links)|more\s+(from|on|stories|news"
    r"|like\s+this|to\s+read)|read\s+(more|next|also)|also\s+read|see\s+also|top\s+stories|latest(\s+news|\s+stories)?"
    r"|most\s+(popular|read|viewed)|trending(\s+now)?|you\s+(may|might)\s+also\s+like|recommended(\s+for\s+you)?"
    r"|what\s+to\s+read\s+next|popular\s+(now|stories)|further\s+reading|comments?|\d+\s+comments?|leave\s+a\s+(reply|comment)"
    r"|share\s+this(\s+article|\s+story)?|tags?|topics|about\s+(the\s+author|us|[\w&.'-]+(\s+[\w&.'-]+){0,3})"
    r"|(media|press)\s+contacts?|contacts?|notes?\s+to\s+editors?|about\s+the\s+(company|author|writer)"
    r"|das\s+k[öo]nnte\s+sie\s+(auch\s+)?interessieren|meist\s*gelesen|mehr\s+zum\s+thema|weitere\s+artikel"
    r"|lesen\s+sie\s+auch|auch\s+interessant|schlagw[öo]rter"
    r"|(à\s+)?lire\s+aussi|sur\s+le\s+m[êe]me\s+sujet|les\s+plus\s+lus|articles?\s+similaires|voir\s+aussi"
    r"|temas\s+relacionados|te\s+puede\s+interesar|lo\s+m[áa]s\s+le[íi]do|noticias\s+relacionadas"
    r"|m[áa]s\s+noticias|leggi\s+anche|potrebbe(ro)?\s+interessarti|i\s+pi[ùu]\s+letti|articoli\s+correlati"
    r"|leia\s+tamb[ée]m|veja\s+tamb[ée]m|mais\s+lidas|not[íi]cias\s+relacionadas|czytaj\s+(te[żz]|tak[żz]e)"
    r"|zobacz\s+(te[żz]|tak[żz]e)|najcz[ęe][śs]ciej\s+czytane|powi[ąa]zane\s+artyku[łl]y)\s*:?\s*$",
    re.IGNORECASE,
)

#: Bylines, timestamps and reading times: furniture when a short line among the first blocks.
TOP_FURNITURE = re.compile(
    r"""(
        ^\s*(by|por|von|par|di|de|oleh|door|av|af|written\s+by|posted\s+by|published\s+by|reported\s+by)\s+\S
      | \b(published|updated|posted|last\s+modified|modified)\b\s*(on|at|:)?\s*\S
      | \b\d+\s*(min|mins|minutes?)\s+(read|de\s+lectura)\b | \bread(ing)?\s+time\b
      | ^\s*\d{1,2}[:.]\d{2}\s*(am|pm)?\b | \b\d{1,2}[:.]\d{2}\s*(am|pm|[A-Z]{2,4}T|GMT|UTC)\b
      | ^\s*(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}
      | ^\s*\d{1,2}\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,?\s+\d{4}
      | ^\s*\d{4}[-/.]\d{1,2}[-/.]\d{1,2} | ^\s*\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b
      | ^\s*(photo|image|foto)\s*: | ^\s*(share|compartir|teilen|partager)\b
      | ^\s*(stand|aktualisiert|ver[öo]ffentlicht|erstellt|mis\s+à\s+jour|publi[ée]|actualizado|publicado
            |aggiornato|pubblicato|atualizado|opublikowano|zaktualizowano)\b
      | \b\d+\s*min(\.|uten)?\s*(lesezeit|de\s+lecture|de\s+lectura|di\s+lettura|de\s+leitura|czytania)\b
      | \b(lesezeit|temps\s+de\s+lecture|tiempo\s+de\s+lectura|tempo\s+di\s+lettura|tempo\s+de\s+leitura)\b
      | ^\s*\d{1,2}\.?\s+(januar|februar|märz|april|mai|juni|juli|august|september|oktober|november|dezember
            |janvier|février|mars|avril|juin|juillet|août|septembre|octobre|novembre|décembre
            |enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre
            |gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre)\b
      | ^\s*(von|par|por|di|przez|autor|author)\s*:?\s+\S
    )""",
    re.IGNORECASE | re.VERBOSE,
)
TOP_BLOCKS = 6
TOP_MAX_WORDS = 25
BLOCK_LEVEL = {
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "blockquote",
    "span",
    "section",
    "dl",
}


def comparable(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of ``text`` for comparisons."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return normalize_space(re.sub(r"[^\w\s]", " ", text))


def link_density(element: etree._Element, *, in_page: bool = True) -> float:
    """Share of the element's text characters that sit inside links (0 when it has no text). An ``<a>``
    without ``href`` (a named anchor) is not a link; ``in_page=False`` leaves out links to a ``#fragment``
    of the page too (a section heading's self-link or back-reference to the table of contents)."""
    total = len(normalize_space(element.text_content()))
    if not total:
        return 0.0
    linked = 0
    for a in element.iter("a"):
        href = a.get("href")
        if href is None or (not in_page and href.strip().startswith("#")):
            continue
        linked += len(normalize_space(a.text_content()))
    return min(1.0, linked / total)


LEAF_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "figure", "table", "dd", "dt", "figcaption"}
CONTAINER_TAGS = {
    "div",
    "section",
    "article",
    "main",
    "ul",
    "ol",
    "span",
    "header",
    "footer",
    "aside",
    "li",
    "blockquote",
    "dl",
}


def blocks(body: etree._Element) -> list[etree._Element]:
    """The body's blocks in reading order: paragraphs, headings, list items, figures, tables, and
    containers (``div``...) that hold text directly rather than through child blocks."""
    found: list[etree._Element] = []

    def walk(element: etree._Element) -> None:
        for child in element:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in LEAF_TAGS:
                found.append(child)
            elif tag in CONTAINER_TAGS and any(
                isinstance(c.tag, str) and (c.tag in LEAF_TAGS or c.tag in CONTAINER_TAGS) for c in child
            ):
                walk(child)
            elif tag:
                found.append(child)

    walk(body)
    return found


def remove_block(element: etree._Element, body: etree._Element) -> None:
    """Remove ``element`` and any container left empty by its removal (never ``body`` itself)."""
    parent = element.getparent()
    remove_element(element)
    while parent is not None and parent is not body and not len(parent) and not (parent.text or "").strip():
        grandparent = parent.getparent()
        remove_element(parent)
        parent = grandparent


def wrap_loose_text(body: etree._Element) -> None:
    """Put text lying directly in ``body`` (its own text, the tails of its children) into ``<p>``s, so that
    every piece of text belongs to a block the clean-up rules can see."""
    if (body.text or "").strip():
        paragraph = etree.Element("p")
        paragraph.text, body.text = body.text.strip(), None
        body.insert(0, paragraph)
    for child in list(body):
        if (child.tail or "").strip():
            paragraph = etree.Element("p")
            paragraph.text, child.tail = child.tail.strip(), None
            child.addnext(paragraph)


class Captions(set):
    """Comparable texts of a page's picture captions (a ``set``), with ``paragraphs``: how many prose
    paragraphs of the page (``<p>`` outside captions and figures) say the same thing as a caption, for
    the captions that repeat a sentence of the article. ``paragraphs`` is counted on first use (by
    ``mark_captions``, only on a page whose extracted body holds a caption's text)."""

    def __init__(self, *args, count=None):
        super().__init__(*args)
        self._count = count
        self._paragraphs: dict[str, int] | None = None

    @property
    def paragraphs(self) -> dict[str, int]:
        if self._paragraphs is None:
            self._paragraphs = self._count() if self._count and self else {}
        return self._paragraphs


def caption_texts(tree: etree._Element) -> Captions:
    """Comparable texts of the page's picture captions: ``<figcaption>``, elements whose class names a
    caption or credit, schema.org ``caption``, and long ``alt`` texts. News sites caption a picture with a
    sentence of the article (the lead as the ``alt`` text, a quote under a photo); ``paragraphs`` counts
    the page's own paragraphs of each caption text, so that ``mark_captions`` leaves those in the article."""
    caption_elements = _caption_elements(tree)
    found: Captions = Captions(count=lambda: _caption_paragraphs(tree, found, set(caption_elements)))
    for element in caption_elements[:300]:
        if len(element) > 12:
            continue  # a container of a figure and more, not a caption
        text = element.text_content()
        if len(text) < 1500:
            text = comparable(text)
            if count_words(text) >= 4:
                found.add(text)
    for alt in _ALTS(tree)[:300]:
        if len(alt) > 30:
            text = comparable(alt)
            if count_words(text) >= 6:
                found.add(text)
    return found


def _caption_paragraphs(tree: etree._Element, captions: set[str], caption_elements: set) -> dict[str, int]:
    """``{paragraph text: n}`` for the prose paragraphs of the page (``<p>`` outside caption elements and
    ``<figure>``) that ``mark_captions`` would take for a caption, ``n`` the number of such paragraphs."""
    by_start: dict[str, list[str]] = {}
    for caption in captions:
        by_start.setdefault(caption[:20], []).append(caption)
    starts = {caption[:12] for caption in captions}
    counts: dict[str, int] = {}
    body = tree.find("body")
    for paragraph in body.iter("p") if body is not None else ():
        if paragraph in caption_elements:
            continue
        raw = "".join(paragraph.itertext())
        if len(raw) < 16 or comparable(raw[:60])[:12] not in starts:
            continue  # (the first words decide: most paragraphs are never compared whole)
        text = comparable(raw)
        if text not in captions and not _is_caption(text, by_start.get(text[:20], ())):
            continue
        if any(a in caption_elements or a.tag in ("figure", "figcaption") for a in paragraph.iterancestors()):
            continue
        if any(
            _PICTURE_INFO.search(f"{e.get('class') or ''} {e.get('id') or ''}") for e in _up(paragraph, 3)
        ):
            continue  # the text beside a picture ("absatzbild__info", "ImageDescription")
        counts[text] = counts.get(text, 0) + 1
    return counts


#: Class or id words of the box that holds a picture's description.
_PICTURE_INFO = re.compile(r"image|img|bild|photo|foto|picture|media|credit|caption|figure", re.IGNORECASE)


def _up(element: etree._Element, levels: int) -> list[etree._Element]:
    """``element`` and up to ``levels`` of its ancestors."""
    found = [element]
    for ancestor in element.iterancestors():
        if len(found) > levels:
            break
        found.append(ancestor)
    return found


def _is_caption(text: str, captions) -> bool:
    """Whether the comparable ``text`` is one of ``captions`` or a long one's beginning, or begins with one."""
    return text in captions or any(
        len(c) > 30 and (c.startswith(text) or text.startswith(c)) for c in captions
    )


def _caption_elements(tree: etree._Element) -> list[etree._Element]:
    """The body's ``<figcaption>`` elements and elements whose class names a caption or whose
    ``itemprop`` is ``caption``, in document order. One Python pass over the body's elements: half the
    CPU time of the equivalent ``//body//*[contains(@class, ...)]`` XPath on the development corpora."""
    body = tree.find("body")
    if body is None:
        return []
    found = []
    for element in body.iterdescendants(etree.Element):
        names = element.get("class")
        if (
            element.tag == "figcaption"
            or (names and ("caption" in names or "Caption" in names))
            or element.get("itemprop") == "caption"
        ):
            found.append(element)
    return found


_ALTS = etree.XPath("//body//img/@alt")


def mark_captions(body: etree._Element, captions: set[str], log: dict) -> None:
    """Turn paragraphs that repeat a picture caption into ``<figcaption>`` (kept in the HTML, left out of the
    plain text), attached to the picture right before them when there is one. A caption that repeats a
    paragraph of the page (``Captions.paragraphs``: the lead as a picture's ``alt``, a sentence of the
    article under a photo) marks only the copies beyond the page's paragraphs of that text, the first
    ones: the paragraph itself stays in the article (it was lost on 5 pages of the development corpora,
    in English, German and Swedish)."""
    if not captions:
        return
    matches = []
    for child in blocks(body):
        if child.tag not in ("p", "div", "span"):
            continue
        text = comparable(child.text_content())
        if count_words(text) >= 4 and _is_caption(text, captions):
            matches.append((child, text))
    paragraphs = getattr(captions, "paragraphs", {}) if matches else {}
    # how many copies of each text to mark as captions, from the first: those beyond the page's paragraphs
    marks = {text: -count for text, count in paragraphs.items()}
    for _child, text in matches:
        if text in marks:
            marks[text] += 1
    for child, text in matches:
        if text in marks:
            if marks[text] <= 0:
                continue
            marks[text] -= 1
        log.setdefault("captions", 0)
        log["captions"] += 1
        child.tag = "figcaption"
        child.attrib.clear()
        previous = child.getprevious()
        if previous is not None and previous.tag == "figure" and previous.find("figcaption") is None:
            previous.append(child)
        elif previous is not None and previous.tag == "img":
            figure = etree.Element("figure")
            previous.addprevious(figure)
            figure.append(previous)
            figure.append(child)


def _log(log: dict, reason: str, element: etree._Element) -> None:
    log.setdefault("removed", []).append(f"{reason}: {normalize_space(element.text_content())[:80]}")


def drop_repeated_title(body: etree._Element, title: str, log: dict) -> None:
    """Remove a heading among the first blocks that repeats the title (the reader shows the title)."""
    if not title:
        return
    wanted = comparable(title)
    for child in list(body)[:4]:
        if child.tag in ("h1", "h2", "h3", "p", "div") and comparable(child.text_content()) == wanted:
            _log(log, "repeated title", child)
            remove_element(child)
            return


def drop_repeated_lead_image(body: etree._Element, lead_image: str, log: dict) -> None:
    """Remove the lead image from the top of the body when it is shown above the article anyway."""
    if not lead_image:
        return
    top = [b for b in blocks(body)[:2]]
    for image in body.xpath(".//img")[:1]:
        at_top = any(image is b or b in image.iterancestors() for b in top)
        if at_top and (image.get("src") or "").strip() == lead_image:
            parent = image.getparent()
            target = parent if parent is not None and parent.tag == "figure" else image
            log.setdefault("removed", []).append("repeated lead image")
            remove_element(target)


def drop_top_furniture(body: etree._Element, title: str, authors: list[str], log: dict) -> None:
    """Remove the headline, bylines, timestamps, reading times and bare URLs among the first blocks."""
    names = [comparable(a) for a in authors if a]
    wanted = comparable(title)
    title_words = set(wanted.split())
    for index, child in enumerate(blocks(body)[:TOP_BLOCKS]):
        if child.tag in ("figure", "table", "img") or child.find(".//img") is not None:
            continue
        text = normalize_space(child.text_content())
        if not text:
            continue
        words = count_words(text)
        if words > TOP_MAX_WORDS:
            break
        plain = comparable(text)
        is_byline = any(
            name and (plain == name or (name in plain and words <= len(name.split()) + 6)) for name in names
        )
        overlap = len(set(plain.split()) & title_words) / max(1, len(set(plain.split())))
        is_headline = child.tag == "h1" or (
            index < 2 and words >= 4 and overlap >= 0.8 and len(plain.split()) <= len(title_words) + 3
        )
        if is_byline or is_headline or _BARE_URL.match(text) or (words <= 14 and TOP_FURNITURE.search(text)):
            _log(log, "headline, byline or timestamp", child)
            remove_block(child, body)


#: Class or id words of a standfirst (the summary under a headline, outside the article's text).
STANDFIRST = re.compile(
    r"standfirst|\bdek\b|sub-?title|sub-?head|\bdeck\b|strapline|\bsapo\b|chapo|kicker|article-?lead",
    re.IGNORECASE,
)


def _is_standfirst_in_page(text: str, page: etree._Element) -> str:
    snippet = text[:40]
    if len(snippet) < 20 or ("'" in snippet and '"' in snippet):
        return ""
    quote = '"' if "'" in snippet else "'"
    for element in page.xpath(f"//body//*[contains(text(), {quote}{snippet}{quote})]")[:3]:
        for level, node in enumerate([element, *element.iterancestors()]):
            if level > 3 or node.tag in ("article", "main", "body"):
                break
            match = STANDFIRST.search(f"{node.get('class') or ''} {node.get('id') or ''}")
            if match:
                return match.group(0)
    return ""


def drop_standfirst(body: etree._Element, page: etree._Element, log: dict) -> None:
    """Remove a first block that the page shows as a standfirst: an element whose class or id names a
    standfirst, dek, deck, subtitle or strapline (the reader shows the excerpt separately). Measured on the
    corpora: "summary", "intro" and "header" classes and ``<h4>`` hold the real first paragraph as often as
    not, so they do not count; nor does an ``<h2>``/``<h3>`` under the headline, the way German, French and
    Spanish sites mark up their lead paragraph (removing it cost F1 on both corpora, bug-log kind 4)."""
    first = next((b for b in blocks(body) if normalize_space(b.text_content())), None)
    if first is None or first.tag in ("figure", "table", "img") or first.find(".//img") is not None:
        return
    text = normalize_space(first.text_content())
    if not 4 <= count_words(text) <= 60 or len(blocks(body)) < 3:
        return
    reason = _is_standfirst_in_page(text, page)
    if reason:
        _log(log, f"standfirst ({reason})", first)
        remove_block(first, body)


def drop_duplicates(body: etree._Element, log: dict) -> None:
    """Remove a paragraph of 8 to 80 words that repeats an earlier paragraph word for word (a standfirst or
    a caption repeated). List items (recipes and product lists repeat lines) and long paragraphs stay; a
    picture caption and a paragraph saying the same thing are not copies of each other."""
    seen: set[str] = set()
    for child in blocks(body):
        if child.tag not in ("p", "figcaption", "h2", "h3", "h4", "div") or _in_list(child):
            continue
        text = comparable(child.text_content())
        if not 8 <= count_words(text) <= 80:
            continue
        # A caption repeating a paragraph is not a copy of it (``mark_captions`` left the paragraph).
        key = f"caption {text}" if child.tag == "figcaption" else text
        if key in seen:
            _log(log, "duplicate", child)
            remove_block(child, body)
        else:
            seen.add(key)


def _in_list(element: etree._Element) -> bool:
    return any(ancestor.tag in ("li", "ul", "ol", "table") for ancestor in element.iterancestors())


HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


def _prose_follows(children: list[etree._Element], index: int) -> bool:
    """Whether the block after ``children[index]`` is a paragraph of prose (12 words or more, under 0.3
    link density)."""
    following = children[index + 1] if index + 1 < len(children) else None
    return (
        following is not None
        and following.tag == "p"
        and count_words(following.text_content()) >= 12
        and link_density(following) < 0.3
    )


def drop_link_lines(body: etree._Element, log: dict) -> None:
    """Remove stand-alone teaser lines to other articles anywhere in the body: a paragraph that is
    nothing but a link, "Read more: ..." / "Related: ..." lines, headlines tagged ``[INSIGHT]``. A bare
    URL inside the body is the article's source or reference (kept by the reference text on 3 pages of
    the development corpora, in Italian, German and Indonesian, against 2): only ``trim_edges`` drops
    one, at an edge."""
    children = blocks(body)
    for index, child in enumerate(children):
        if child.tag in ("figure", "table", "img") or child.find(".//img") is not None:
            continue
        text = normalize_space(child.text_content())
        if not text:
            continue
        words = count_words(text)
        if words > 30:
            continue
        # A whole-paragraph link is a teaser when it is a short headline; a sentence that links to its
        # source as a whole is content (bug-log kind 4). A heading is not a teaser for a link to its own
        # section (a self-link, the way back to the table of contents; lost on 4 pages of the
        # development corpora), and a linked heading over a paragraph of prose is the heading of that
        # section (a list article's items, linked to what they name).
        heading = child.tag in HEADINGS
        linked = (
            child.find(".//a") is not None
            and link_density(child, in_page=not heading) >= 0.9
            and child.tag != "li"
            and words <= 15
            and not text.rstrip().endswith((".", "!", "?", "»", '"', ":"))
            and not _BARE_URL.match(text)
            and not (heading and _prose_follows(children, index))
        )
        if linked or TEASER.search(text):
            _log(log, "teaser line", child)
            remove_block(child, body)


#: A full stop, question or exclamation mark, then closing quotes or brackets (U+201D, U+2019, U+00BB).
_SENTENCE_STOP = re.compile("[.!?\u2026][\"'\u201d\u2019\u00bb)]*(\\s|$)")
_SENTENCE_END = re.compile("[.!?\u2026][\"'\u201d\u2019\u00bb)]*$")


def _is_edge_boilerplate(element: etree._Element) -> bool:
    if element.tag in ("figure", "table", "img", "pre"):
        return False
    text = normalize_space(element.text_content())
    if not text:
        return element.find(".//img") is None
    words = count_words(text)
    if words <= EDGE_MAX_WORDS and EDGE_BOILERPLATE.search(text):
        return True
    if words <= STRONG_MAX_WORDS and EDGE_STRONG.search(text):
        return True
    if RELATED_HEADING.match(text) or _BARE_URL.match(text):
        return True
    # A keyword line: six or more short comma-separated phrases and no sentence. A sentence that lists
    # places or names ("... demonstrations in Kyiv, Lviv, Odesa, Kharkiv and other cities.") ends with a
    # full stop or holds a clause longer than a keyword.
    phrases = [p for p in text.split(",") if p.strip()]
    if (
        len(phrases) >= 6
        and words <= 4 * len(phrases)
        and not _SENTENCE_STOP.search(text)
        and max(count_words(p) for p in phrases) <= 6
    ):
        return True
    # A short block of links (tags, share buttons, "more stories" teasers) at an edge.
    return words <= 40 and element.find(".//a") is not None and link_density(element) >= 0.6


def _prose_words(elements: list[etree._Element]) -> int:
    """Words of the unlinked prose among ``elements``: blocks of 30 words or more, and sentences (blocks
    of 8 words or more ending with a full stop, question or exclamation mark), under 0.3 link density."""
    total = 0
    for element in elements:
        text = normalize_space(element.text_content())
        words = count_words(text)
        if words >= 8 and link_density(element) < 0.3 and (words >= 30 or _SENTENCE_END.search(text)):
            total += words
    return total


def trim_edges(body: etree._Element, log: dict) -> None:
    """Drop furniture blocks at the start and the end of the body, and a trailing "related" section."""
    children = blocks(body)
    # A "related stories" heading in the last third of the body ends the article.
    for index in range(len(children) - 1, max(0, len(children) * 2 // 3) - 1, -1):
        child = children[index]
        if child.tag in ("h2", "h3", "h4", "h5", "h6", "p", "div", "li") and RELATED_HEADING.match(
            normalize_space(child.text_content())
        ):
            rest = children[index:]
            rest_words = sum(count_words(c.text_content()) for c in rest)
            # Prose after the heading (a paragraph of 30 words or more, or sentences of 30 words in all)
            # means an inline teaser box in the middle of the article ("Lesen Sie auch", "Auch
            # interessant", "Read more" whose links the extractor left out): only the heading and the
            # link block under it go, the article goes on.
            prose_after = _prose_words(rest[1:]) >= 30
            if index > 0 and prose_after:
                teaser = rest[1:2]
                for element in [rest[0], *[t for t in teaser if link_density(t) >= 0.5]]:
                    _log(log, "related box", element)
                    remove_block(element, body)
                break
            if index > 0 and rest_words <= 250:
                for element in rest:
                    _log(log, "related section", element)
                    remove_block(element, body)
                break
    for position in (-1, 0):
        while True:
            current = blocks(body)
            if len(current) <= 1 or not _is_edge_boilerplate(current[position]):
                break
            _log(log, "edge", current[position])
            remove_block(current[position], body)
