#!/usr/bin/env python3
"""Check Folio's metadata on the scrapinghub-aeb pages against what each page states visibly.

Usage: python bench/metadata_check.py [--limit N] [--show] [--corpus DIR]

With ``--corpus DIR`` whose ground truth states ``title``, ``authors`` and ``published`` (the second
corpus, ``bench/corpus2/README.md``), each field is compared with that truth on the pages that state it,
for Folio and for trafilatura's own metadata (``bare_extraction(with_metadata=True)``) in the same run:
title equal (case, accents and punctuation ignored), authors equal as sets of words (labels such as "by"
ignored), published date equal. Without it, the checks below run on scrapinghub-aeb, which has no
metadata ground truth:

The corpus has no metadata ground truth, so each field is checked where the page itself states it:

- title: the page has an ``<h1>``; correct when the title equals one of the page's ``<h1>`` texts (case,
  accents and punctuation ignored) and has no `` | Site`` / `` - Site`` segment left;
- published: the URL holds a date (``/2019/11/18/`` or ``/2019/nov/18/``); correct when the dates agree
  (year-month when the URL has no day); also counts dates later than the fetch (2019-11-21 at the latest);
- authors: correct when every name Folio gives appears in the page's visible text (not only in metadata);
- language: pages that declare one; correct when it equals py3langid's guess on the extracted text;
- site name and lead image: present, and the lead image an absolute http(s) URL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from corpus_common import corpus_pages, load_corpus  # noqa: E402

_LABELS = {"by", "von", "par", "por", "and", "und", "et", "y", "e", "i", "da", "di", "der", "the"}


def _name_words(names) -> set[str]:
    from articles.extraction.cleanup import comparable

    return {w for n in names for w in comparable(n).split() if w not in _LABELS}


def truth_check(corpus_dir: Path, limit: int | None, show: bool) -> int:
    """Title, author and date against a ground truth that states them; Folio beside trafilatura."""
    import trafilatura

    from articles.extraction import ExtractionError, extract
    from articles.extraction.cleanup import comparable

    counts: dict[tuple[str, str], list[int]] = {}
    for page in load_corpus(corpus_dir, limit):
        truth = page.truth
        try:
            result = extract(page.html, page.url, today=dt.date(2027, 1, 1))
            folio = (result.title, [a for a in result.author.split(", ") if a], result.published)
        except ExtractionError:
            folio = ("", [], None)
        doc = trafilatura.bare_extraction(page.html, url=page.url, with_metadata=True)
        plain = (
            (doc.title or "", [a for a in (doc.author or "").split("; ") if a], doc.date or "")
            if doc is not None
            else ("", [], "")
        )
        for name, (title, authors, published) in (("folio", folio), ("trafilatura", plain)):
            checks = []
            if truth.get("title"):
                checks.append(
                    ("title", comparable(title) == comparable(truth["title"]), title, truth["title"])
                )
            if truth.get("authors"):
                ok = bool(authors) and _name_words(authors) == _name_words(truth["authors"])
                checks.append(("author", ok, authors, truth["authors"]))
            if truth.get("published"):
                checks.append(
                    ("date", str(published or "")[:10] == truth["published"], published, truth["published"])
                )
            for field, ok, got, want in checks:
                counts.setdefault((field, name), [0, 0])
                counts[(field, name)][0] += ok
                counts[(field, name)][1] += 1
                if show and not ok and name == "folio":
                    print(f"  {field} {page.id[:40]}: {got!r} vs {want!r}")
    print(f"{'field':<8} {'folio':>16} {'trafilatura':>16}")
    for field in ("title", "author", "date"):
        cells = []
        for name in ("folio", "trafilatura"):
            ok, total = counts.get((field, name), [0, 0])
            cells.append(f"{ok}/{total} {ok / total:6.1%}" if total else "-")
        print(f"{field:<8} {cells[0]:>16} {cells[1]:>16}")
    return 0


MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
FETCHED = dt.date(2019, 11, 21)


def url_date(url: str) -> tuple[int, int, int | None] | None:
    match = re.search(r"/(20\d\d)/(\d{1,2}|[a-z]{3})/(?:(\d{1,2})/)?", url)
    if not match:
        return None
    month = match.group(2)
    month = int(month) if month.isdigit() else MONTHS.get(month)
    if not month or not 1 <= month <= 12:
        return None
    return int(match.group(1)), month, int(match.group(3)) if match.group(3) else None


def main(argv=None) -> int:
    import lxml.html

    from articles.extraction import ExtractionError, detect_language, extract
    from articles.extraction.cleanup import comparable

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--show", action="store_true", help="print the pages that fail a check")
    parser.add_argument("--corpus", type=Path, help="a corpus whose ground truth states the metadata")
    args = parser.parse_args(argv)
    if args.corpus:
        return truth_check(args.corpus, args.limit, args.show)
    counts: dict[str, list[int]] = {}

    def tally(field: str, ok: bool, detail: str = "") -> None:
        counts.setdefault(field, [0, 0])
        counts[field][0] += ok
        counts[field][1] += 1
        if args.show and not ok:
            print(f"  {field}: {detail}")

    for page_id, url, html in corpus_pages(args.limit):
        try:
            result = extract(html, url, today=FETCHED)
        except ExtractionError:
            continue
        tree = lxml.html.document_fromstring(html)
        for bad in tree.xpath("//script|//style|//noscript|//head"):
            bad.drop_tree()
        visible = comparable(tree.text_content())
        h1s = [comparable(h.text_content()) for h in tree.iter("h1")]
        if h1s:
            title = comparable(result.title)
            tally(
                "title",
                title in h1s and not re.search("\\s[|\u2013\u2014-]\\s", result.title),
                f"{page_id[:8]} {result.title!r} vs {h1s[:2]}",
            )
        stated = url_date(url)
        if stated:
            year, month, day = stated
            got = result.published
            ok = bool(got and got.year == year and got.month == month and (day is None or got.day == day))
            tally("published (URL date)", ok, f"{page_id[:8]} {got} vs {stated}")
        if result.published:
            tally(
                "published not after fetch", result.published <= FETCHED, f"{page_id[:8]} {result.published}"
            )
        if result.author:
            names = [n.strip() for n in result.author.split(",") if n.strip()]
            tally(
                "authors visible on page",
                all(comparable(n) in visible for n in names),
                f"{page_id[:8]} {names}",
            )
        tally("author found", bool(result.author), page_id[:8])
        if result.language and len(result.text.split()) > 50:
            tally(
                "language",
                result.language == detect_language(result.text),
                f"{page_id[:8]} {result.language}",
            )
        tally("site name found", bool(result.site_name), page_id[:8])
        tally(
            "lead image absolute URL",
            result.lead_image.startswith(("http://", "https://")),
            f"{page_id[:8]} {result.lead_image!r}",
        )
    print(f"{'check':<28} {'correct':>8} {'pages':>6} {'share':>6}")
    for field, (ok, total) in counts.items():
        print(f"{field:<28} {ok:>8} {total:>6} {ok / total:6.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
