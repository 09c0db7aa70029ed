#!/usr/bin/env python3
"""Check Folio's metadata on the scrapinghub-aeb pages against what each page states visibly.

Usage: python bench/metadata_check.py [--limit N] [--show]

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

from corpus_common import corpus_pages  # noqa: E402

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
    args = parser.parse_args(argv)
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
