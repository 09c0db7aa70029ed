"""Page metadata: title, authors, published date, site name, lead image, description, JSON-LD article body.

Sources, in order of trust: the page's JSON-LD Article object (schema.org ``headline``, ``author``,
``datePublished``, ``publisher``, ``image``, ``articleBody``), then Open Graph / ``article:`` meta tags,
then trafilatura's heuristics (``examine_meta``, ``extract_title``, read only when the page's own statements
leave a field empty), the page's byline elements, and htmldate (``find_date`` with its extensive search,
run after the scripts are gone, so no date is taken from script text). Bylines are cleaned of their
labels and trailing dates in English, German, French, Spanish, Italian, Portuguese, Polish and Dutch
(``clean_byline``). Pure; no network.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree

from .text import normalize_space

ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "blogposting",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "reviewnewsarticle",
    "backgroundnewsarticle",
    "techarticle",
    "scholarlyarticle",
    "socialmediaposting",
    "liveblogposting",
    "report",
    "posting",
    "webpage",
    "medicalwebpage",
}
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_TITLE_SEPARATORS = re.compile("\\s+[|\\-\u2013\u2014:·•»]\\s+")
_NOT_A_NAME = re.compile(
    r"https?://|www\.|@|\.com\b|^admin$|\b(writer|correspondent|reporter|editor|staff|press|news"
    r"|agency|desk|team|contributor|columnist|newsroom|wire|service|feeds?|rss|import|bot|api|syndication"
    r"|webmaster|redaktion|redacci[oó]n|r[ée]daction|redazione|reda[cç][aã]o|redakcja|redactie|online"
    r"|twitter|facebook|instagram|linkedin|whatsapp|e-?mail)s?\b",
    re.I,
)
#: Labels that open a byline ("Von", "Erstellt von", "Publié par", "Autor:"), in the languages Folio reads.
_BYLINE_LABEL = re.compile(
    r"^\W*(?:(?:written|posted|published|reported|updated|text|words|story)\s+by|by|from"
    r"|(?:erstellt|veröffentlicht|verfasst|geschrieben|aktualisiert)\s+von|von|autor(?:in)?|verfasser(?:in)?"
    r"|(?:publié|écrit|rédigé|mis\s+à\s+jour)\s+par|par|auteur|auteure"
    r"|(?:publicado|escrito|redactado|actualizado)\s+por|por|autor[a]?"
    r"|(?:pubblicato|scritto|aggiornato)\s+da|di|da|a\s+cura\s+di|autore|autrice"
    r"|(?:publicado|escrito|atualizado)\s+por|de"
    r"|(?:opublikowano|napisał[a]?|autor(?:ka)?)(?:\s+przez)?|przez"
    r"|door|auteur|av|af|oleh|author|authors|written)\b\s*[:\-\u2013\u2014]?\s*",
    re.I,
)
_MONTH_WORDS = (
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|januar|februar|märz|mai|juni|juli|oktober|dezember"
    r"|janvier|février|mars|avril|juin|juillet|août|septembre|octobre|novembre|décembre"
    r"|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre"
    r"|gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre"
    r"|janeiro|fevereiro|março|maio|junho|julho|setembro|outubro|novembro|dezembro"
    r"|stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|września|października|listopada|grudnia"
)
#: Where a byline's furniture starts: a separator, a date, "am/le/el/il/em/dnia <date>", "updated".
_BYLINE_TAIL = re.compile(
    r"\s*(?:[|·•\u2013\u2014]|\s-(?:\s|$)|,\s*(?=\d)|\s(?:am|on|le|el|il|em|dnia|den|op|the)\s+(?=\d)"
    r"|\s(?=\d{1,2}[./]\s?\d{1,2}[./]\s?\d{2,4})|\s(?=\d{1,2}\.?\s+(?:" + _MONTH_WORDS + r"))"
    r"|\s(?=(?:" + _MONTH_WORDS + r")\w*\.?\s+\d)|\s(?=\d{4}-\d{2}-\d{2})"
    r"|\s(?=\d{1,2}\s+de\s+(?:" + _MONTH_WORDS + r"))"
    r"|\s(?:updated|aktualisiert|stand|mis\s+à\s+jour|actualizado|aggiornato|atualizado)\b|\d{1,2}:\d{2}"
    r"|\s(?:vor|před|hace|há|il\s+y\s+a)\s+\d|\s\d+\s+\w+\s+(?:ago|temu)\b).*$",
    re.I,
)
#: A section's name before the label: "Tech Industry by Steven Musil", "capital von Jemima Kelly" (a "von"
#: after a capitalised word is a name's particle: "Anna von Hassel").
_INNER_LABEL = re.compile(
    r"^(?:.{1,40}?\sby|(?:[a-zäöüßàâçéèêëîïôûù][\w-]*\s+){1,3}(?:von|par|por|di))\s+(?=[^\W\d_])"
)
#: Other people's roles after the author's name: "Rob Ewaschuk Edited by Betsy Beyer".
_ROLE_TAIL = re.compile(
    r"(?:^|\s+)(?:edited|reviewed|translated|fact-checked|illustrated|illustrations|photos?|photographs|produced)"
    r"\s+by\b.*$",
    re.I,
)
#: An editor's short code after a name, as Swiss and German papers print it: "Elena Oberholzer (obe)".
_EDITOR_CODE = re.compile(r"\s*\([a-zäöü]{2,5}\.?\)$")


def clean_byline(text: str) -> str:
    """A byline without its furniture: "Von Anna Schmidt · 22. Oktober 2019" -> "Anna Schmidt",
    "Erstellt von Jan Novak am 21. April 2020" -> "Jan Novak", "Author: Jane Doe -" -> "Jane Doe"; a relative
    time ("1 day ago", "vor 2 Stunden", "před 2 hodinami"), a "1 de diciembre de 2017" date, an editor's
    code ("(obe)"), a time run into the name ("Anna Schmidt12:20pm"), a section's name before the label
    ("Tech Industry by Steven Musil", "capital von Jemima Kelly") and other people's roles ("Edited by ...")
    go too. Measured with ``bench/metadata_check.py`` on both development corpora."""
    text = normalize_space(text)
    for _ in range(2):
        text = _BYLINE_LABEL.sub("", text, count=1)
    text = _INNER_LABEL.sub("", _ROLE_TAIL.sub("", text), count=1)
    text = _EDITOR_CODE.sub("", _BYLINE_TAIL.sub("", text))
    return text.strip(" -\u2013\u2014|·•,:;")


@dataclass
class PageMetadata:
    """What the page states about itself; every field may be empty."""

    title: str = ""
    authors: list[str] = field(default_factory=list)
    published: dt.date | None = None
    site_name: str = ""
    lead_image: str = ""
    description: str = ""
    article_body: str = ""
    language: str = ""
    hero_image: bool = False  # lead_image is the article's first picture, not one the page names


def _json_objects(tree: etree._Element) -> list[dict]:
    objects: list[dict] = []
    for script in tree.xpath("//script[@type='application/ld+json']/text()")[:20]:
        try:
            data = json.loads(script.strip().rstrip(";"), strict=False)
        except (ValueError, TypeError):
            continue
        stack = [data]
        while stack and len(objects) < 200:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                objects.append(item)
                if isinstance(item.get("@graph"), list):
                    stack.extend(item["@graph"])
                if isinstance(item.get("mainEntity"), dict):
                    stack.append(item["mainEntity"])
    return objects


def _types(item: dict) -> set[str]:
    value = item.get("@type") or ""
    values = value if isinstance(value, list) else [value]
    return {str(v).lower() for v in values}


def _text(value) -> str:
    if isinstance(value, str):
        return normalize_space(html.unescape(value))
    if isinstance(value, dict):
        return _text(value.get("name") or value.get("@value") or "")
    if isinstance(value, list) and value:
        return _text(value[0])
    return ""


def _image(value) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        return _image(value.get("url") or value.get("contentUrl") or "")
    if isinstance(value, list) and value:
        return _image(value[0])
    return ""


def _people(value, site_name: str, host: str = "") -> list[str]:
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        if isinstance(item, dict):
            if "organization" in _types(item) or "newsmediaorganization" in _types(item):
                continue
            name = _text(item.get("name") or "") or normalize_space(
                f"{_text(item.get('givenName') or '')} {_text(item.get('familyName') or '')}"
            )
        else:
            name = _text(item)
        name = clean_byline(name)
        separators = r"\s*(?:,|;|\band\b|&| y | e | und | et | i | en | oraz | og | och )\s*"
        for part in re.split(separators, name) if name.count(",") < 4 else [name]:
            part = clean_byline(part)
            if part.isupper():
                part = part.title()
            if _plausible_name(part, site_name, host) and part not in names:
                names.append(part)
    return names


def _plausible_name(name: str, site_name: str, host: str = "") -> bool:
    """A person's name, not a feed account, the site itself (its name, or its address's name: "Lto" on
    lto.de, "n-tv NACHRICHTEN" on n-tv.de), a URL, a handle, share buttons, a job description (over six
    words) or a bracketed picture credit ("(Image: Getty Images)")."""
    if not name or len(name) > 80 or name.startswith("(") or _NOT_A_NAME.search(name):
        return False
    if " " not in name and (name.islower() or any(ch.isdigit() for ch in name)):
        return False  # an account ("newsfeed", "user4711"), not a person's name
    if site_name and name.casefold() == site_name.casefold():
        return False
    if len(name.split()) > 6:
        return False
    if len(host) >= 3:
        compact = re.sub(r"\W+", "", name).casefold()
        if compact == host or re.sub(r"\W+", "", name.split()[0]).casefold() == host:
            return False
    return any(ch.isalpha() for ch in name)


def _host_name(url: str) -> str:
    """The name in a page's address, letters and digits only: "stuttgarterzeitung" for
    www.stuttgarter-zeitung.de, "bbc" for www.bbc.co.uk; ``""`` without one."""
    from urllib.parse import urlsplit

    try:
        labels = (urlsplit(url).hostname or "").split(".")
    except ValueError:
        return ""
    labels = labels[:-1]
    if len(labels) > 1 and labels[-1] in ("co", "com", "org", "net", "gov", "ac", "or", "ne"):
        labels = labels[:-1]
    return re.sub(r"\W+", "", labels[-1]).casefold() if labels else ""


def parse_date(value: str | None, today: dt.date) -> dt.date | None:
    """The ``YYYY-MM-DD`` date at the start of ``value`` if it is a real date no later than ``today``."""
    match = _DATE.search(value or "")
    if not match:
        return None
    try:
        date = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
    return date if dt.date(1990, 1, 1) <= date <= today else None


def meta_tags(tree: etree._Element) -> dict[str, str]:
    """``{name: content}`` of the page's ``<meta>`` tags by ``property``, ``name`` or ``itemprop`` (lower
    case; the first non-empty value of each name wins)."""
    found: dict[str, str] = {}
    for element in tree.iter("meta"):
        content = normalize_space(html.unescape(element.get("content") or ""))
        if not content:
            continue
        for attribute in ("property", "name", "itemprop"):
            key = (element.get(attribute) or "").strip().lower()
            if key and key not in found:
                found[key] = content
    return found


def _meta_all(tree: etree._Element, *names: str) -> list[str]:
    """Every value of the ``<meta>`` tags named ``names`` (a page may state two authors as two tags)."""
    wanted = {n.lower() for n in names}
    values = []
    for element in tree.iter("meta"):
        key = (element.get("name") or element.get("property") or element.get("itemprop") or "").lower()
        content = normalize_space(html.unescape(element.get("content") or ""))
        if key in wanted and content and content not in values:
            values.append(content)
    return values


def _meta(tags: dict[str, str], *names: str) -> str:
    for name in names:
        value = tags.get(name.lower())
        if value:
            return value
    return ""


def _byline_elements(tree: etree._Element, limit: int) -> list[etree._Element]:
    """The first ``limit`` elements of the body with ``rel=author``, ``itemprop=author`` or a class naming
    an author or byline, in document order; one Python pass (half the CPU time of the equivalent XPath)."""
    body = tree.find("body")
    found: list[etree._Element] = []
    if body is None:
        return found
    for element in body.iterdescendants(etree.Element):
        names = element.get("class")
        if (
            element.get("rel") == "author"
            or element.get("itemprop") == "author"
            or (names and any(word in names for word in ("author", "byline", "Author", "Byline")))
        ):
            found.append(element)
            if len(found) >= limit:
                break
    return found


_BY = _BYLINE_LABEL


def _byline_authors(tree: etree._Element, site_name: str, host: str = "") -> list[str]:
    """Names from the page's byline elements (``rel=author``, ``itemprop=author``, class author/byline),
    outside comment sections; short texts only."""
    for element in _byline_elements(tree, 12):
        if any("comment" in (a.get("class") or "").lower() for a in element.iterancestors()):
            continue  # a commenter, not an author
        text = clean_byline(element.text_content())
        if 1 <= len(text.split()) <= 8:
            # one-word parts are a place or an agency after the person ("Sandee LaMotte, CNN")
            names = [n for n in _people(text, site_name, host) if len(n.split()) >= 2]
            if names:
                return names
    return []


def strip_site_name(title: str, site_name: str, headings: Sequence[str] = (), url: str = "") -> str:
    """Drop a site-name segment (`` | Site``, ``Site - ``) from a ``<title>``-style string.

    The whole string stays when it is the page's headline (an ``<h1>`` says so) or when no segment is
    the site: "Brexit - what happens next" is one title, not two (bug-log kind 8). A segment equal to an
    ``<h1>`` is the title; a segment naming the site (its name, or its address's main label) goes."""
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    heads = {_plain(h) for h in headings if h}
    if _plain(title) in heads:
        return title
    for part in parts:
        if _plain(part) in heads and len(part) > 10:
            return part
    host = (urlsplit(url).hostname or "").removeprefix("www.").split(".")[0] if url else ""
    site = _plain(site_name)

    def is_site(part: str) -> bool:
        plain = _plain(part)
        squeezed = plain.replace(" ", "")
        return bool(plain) and (
            (site and (plain == site or (site in plain and len(plain) <= len(site) + 12)))
            or (len(host) > 2 and host.replace("-", "") in squeezed and len(squeezed) <= len(host) + 12)
        )

    kept = [p for p in parts if not is_site(p)]
    if kept and len(kept) < len(parts):
        return " - ".join(kept) if len(kept) > 1 else kept[0]
    return title


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


_HERO = etree.XPath(
    "(//article//img | //main//img | //*[contains(@class, 'hero') or contains(@class, 'featured')]//img)"
    "[@src and not(ancestor::a) and not(ancestor::nav) and not(ancestor::aside)]"
)


def _hero_image(tree: etree._Element, url: str) -> str:
    """The article's hero image when the page names no lead image: the first image of its article,
    main or hero container that is not a link or an icon (declared width under 300 px)."""
    for image in _HERO(tree)[:10]:
        src = (image.get("src") or "").strip()
        width = re.match(r"\d+", image.get("width") or "")
        if not src or src.startswith("data:") or (width and int(width.group(0)) < 300):
            continue
        try:
            return urljoin(url, src) if url else src
        except ValueError:
            continue
    return ""


def read_metadata(tree: etree._Element, url: str, today: dt.date) -> PageMetadata:
    """Read what ``tree`` (a whole parsed page, before any clean-up) states about its article.

    Removes the page's ``<script>`` elements once their JSON-LD is read (so that htmldate's extensive
    search reads visible text only)."""
    from trafilatura.metadata import examine_meta, extract_title

    meta = PageMetadata()
    tags = meta_tags(tree)
    objects = _json_objects(tree)
    etree.strip_elements(tree, "script", "style", with_tail=False)
    article = next(
        (o for o in objects if _types(o) & (ARTICLE_TYPES - {"webpage"}) and o.get("headline")), None
    )
    article = article or next((o for o in objects if _types(o) & ARTICLE_TYPES), None) or {}
    site_objects = [o for o in objects if _types(o) & {"website", "organization", "newsmediaorganization"}]

    examined: list = []

    def found():
        if not examined:
            examined.append(examine_meta(tree))
        return examined[0]

    meta.site_name = (
        _meta(tags, "og:site_name")
        or _text((article.get("publisher") or {}) if isinstance(article.get("publisher"), dict) else "")
        or next((_text(o.get("name")) for o in site_objects if o.get("name")), "")
        or normalize_space(found().sitename or "")
    ).lstrip("@")
    if re.search(r"copyright|©|all rights", meta.site_name, re.I) or len(meta.site_name) > 100:
        meta.site_name = ""
    headings = [normalize_space(h.text_content()) for h in tree.iter("h1")][:5]
    meta.title = (
        _text(article.get("headline"))
        or _meta(tags, "og:title", "twitter:title")
        or normalize_space(tree.findtext(".//head/title") or "")
    )
    if not meta.title:
        meta.title = strip_site_name(
            normalize_space(found().title or extract_title(tree) or ""), meta.site_name, headings, url
        )
    else:
        meta.title = strip_site_name(meta.title, meta.site_name, headings, url)

    host = _host_name(url)
    authors = _people(article.get("author"), meta.site_name, host) if article.get("author") else []
    if not authors:
        for value in _meta_all(
            tree, "author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "byl"
        ):
            authors += [a for a in _people(value, meta.site_name, host) if a not in authors]
    if not authors:
        authors = _byline_authors(tree, meta.site_name, host)
    if not authors and found().author:
        authors = _people(found().author, meta.site_name, host)
    meta.authors = authors
    meta.published = parse_date(_text(article.get("datePublished")), today) or parse_date(
        _meta(
            tags,
            "article:published_time",
            "datePublished",
            "og:published_time",
            "pubdate",
            "publishdate",
            "date",
            "dc.date",
            "DC.date.issued",
            "sailthru.date",
        ),
        today,
    )
    if meta.published is None:
        from htmldate import find_date

        try:
            found_date = find_date(
                tree, url=url, extensive_search=True, max_date=today.isoformat(), original_date=True
            )
        except Exception:  # htmldate raises on odd pages; a missing date is fine
            found_date = None
        meta.published = parse_date(found_date, today)

    meta.lead_image = _meta(tags, "og:image", "og:image:url", "twitter:image") or _image(article.get("image"))
    if meta.lead_image and url and not meta.lead_image.startswith(("http://", "https://", "data:")):
        try:
            meta.lead_image = urljoin(url, meta.lead_image)
        except ValueError:
            meta.lead_image = ""
    if meta.lead_image.startswith("data:"):
        meta.lead_image = ""
    if not meta.lead_image:
        meta.lead_image = _hero_image(tree, url)
        meta.hero_image = bool(meta.lead_image)
    # A title cut short in the metadata ("... to contract"): the page's <h1> that continues it.
    if len(meta.title) >= 20:
        for heading in tree.iter("h1"):
            text = normalize_space(heading.text_content())
            if len(text) > len(meta.title) and text.startswith(meta.title.rstrip(".… ")) and len(text) < 300:
                meta.title = text
                break
    meta.description = _meta(tags, "og:description", "description", "twitter:description") or _text(
        article.get("description")
    )
    body = article.get("articleBody")
    meta.article_body = body if isinstance(body, str) else ""
    return meta
