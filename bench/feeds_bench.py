"""Benchmark: reading a huge feed document (issue 14, hostile input "a feed with 100,000 entries").

Builds one RSS 2.0 document of ``--entries`` items (each with a title, link, guid and a short description)
and reads it twice in this process: with feedparser alone (every entry), and with Folio's
``feeds.parsing.parse_feed`` at FOLIO_FEED_MAX_ENTRIES (the document cut after that many entries before
feedparser sees it). Prints CPU seconds (``time.process_time``, median of ``--repeat`` runs) and the peak
memory the read added (Python allocations, ``tracemalloc``; lxml's and expat's own buffers are not counted). No database, no network.

Usage: python bench/feeds_bench.py [--entries 100000] [--cap 500] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reader.settings")


def document(entries: int) -> bytes:
    """An RSS 2.0 document with ``entries`` items."""
    items = "".join(
        f"<item><title>Entry {i}</title><link>https://example.com/posts/{i}</link><guid>urn:post:{i}</guid>"
        f"<description>Summary of entry {i}.</description></item>"
        for i in range(entries)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Huge</title>'
        f"<link>https://example.com/</link>{items}</channel></rss>"
    ).encode()


def measure(read, repeat: int) -> tuple[float, float, int]:
    """(median CPU seconds, peak MB allocated during one read, entries read)."""
    times = []
    count = 0
    for _ in range(repeat):
        start = time.process_time()
        count = read()
        times.append(time.process_time() - start)
    tracemalloc.start()
    read()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return statistics.median(times), peak / 1e6, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--cap", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    import feedparser

    from feeds.parsing import parse_feed

    body = document(args.entries)
    print(f"document: {args.entries:,} entries, {len(body) / 1e6:.1f} MB")
    rows = [
        ("feedparser, every entry", lambda: len(feedparser.parse(body).entries)),
        (
            f"parse_feed, cap {args.cap}",
            lambda: len(parse_feed(body, url="https://example.com/feed", max_entries=args.cap).entries),
        ),
    ]
    for name, read in rows:
        cpu, peak, count = measure(read, args.repeat)
        print(f"{name:28} {count:>7,} entries  CPU {cpu:7.3f} s  peak {peak:7.1f} MB")


if __name__ == "__main__":
    main()
