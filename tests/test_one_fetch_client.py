"""Guard: every server-side HTTP request for a user-supplied URL goes through articles.fetching.fetch.

Scans Folio's own code for the other ways Python fetches a URL (trafilatura's downloader, urllib, requests,
httpx, raw sockets and urllib3 pools). Only articles/fetching.py may open connections.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ALLOWED = {ROOT / "articles" / "fetching.py"}
FORBIDDEN = re.compile(
    r"fetch_url|fetch_response|trafilatura\.downloads|urllib\.request|urlopen|"
    r"^\s*import requests|^\s*from requests|\brequests\.(get|post|head|Session)|httpx|aiohttp|pycurl|"
    r"socket\.create_connection|HTTPConnectionPool|PoolManager|http\.client",
    re.MULTILINE,
)


def test_no_fetching_outside_the_one_client():
    offenders = []
    for folder in ("articles", "reader", "feeds"):
        for path in (ROOT / folder).rglob("*.py"):
            if path in ALLOWED or "migrations" in path.parts:
                continue
            for match in FORBIDDEN.finditer(path.read_text()):
                line = path.read_text().count("\n", 0, match.start()) + 1
                offenders.append(f"{path.relative_to(ROOT)}:{line}: {match.group(0).strip()}")
    assert not offenders, "fetch through articles.fetching.fetch instead:\n" + "\n".join(offenders)


def test_guard_sees_a_violation(tmp_path):
    sample = "from trafilatura import fetch_url\nhtml = fetch_url(url)\n"
    assert FORBIDDEN.search(sample)
