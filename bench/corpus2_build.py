#!/usr/bin/env python3
"""Assemble Folio's second development corpus from two public test collections with reference text.

Usage:
    python bench/corpus2_build.py --fundus GIT_DIR --readability GIT_DIR --out /work/corpus2

``GIT_DIR`` is a git directory (bare clone or ``.git``) of https://github.com/flairNLP/fundus (MIT) and of
https://github.com/mozilla/readability (Apache-2.0); the script reads their ``HEAD`` with ``git`` and writes
nothing back. The output directory gets the layout of ``../shared/corpus/scrapinghub-aeb`` so that the shared
scorer reads it unchanged:

- ``html/<id>.html.gz``: the page as the collection stores it (UTF-8);
- ``ground-truth.json``: ``{id: {"articleBody", "url", "language", "source", "title", "authors",
  "published"}}``; ``articleBody`` is the reference text, paragraphs separated by blank lines;
- ``README.md``: a copy of ``bench/corpus2/README.md`` plus the counts of this build.

How each page and its reference are taken (``bench/corpus2/README.md`` has the details):

- **Fundus**: every HTML test page listed in a country's ``meta.info`` beside its publisher's JSON of
  expected parser output. A publisher's JSON has one entry per parser version (``V1``, ``V1_1``, ...) and its
  test pages one page per version, so both are paired in version order. The reference is Fundus's own
  plain text of the article body: the summary (lead), then each section's headline and paragraphs.
- **readability**: every ``test/test-pages/<name>/`` with ``source.html``, ``expected.html`` and
  ``expected-metadata.json``; the reference is the text of ``expected.html``, one paragraph per block.

A page is kept only when its reference has at least MIN_WORDS words and at least MIN_COVERAGE of the
reference's 4-word shingles occur in the page's own text (a reference the page does not hold, such as
text its scripts load, cannot be scored). Language: py3langid on the reference text; readability's synthetic
lorem-ipsum pages (detected as Latin) are left out.
"""

from __future__ import annotations

import argparse
import gzip
import html as html_module
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import lxml.html

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
MIN_WORDS = 80
MIN_COVERAGE = 0.8
WORD = re.compile(r"\w+")


def git(git_dir: Path, *args: str, binary: bool = False):
    out = subprocess.run(["git", "--git-dir", str(git_dir), *args], capture_output=True, check=True).stdout
    return out if binary else out.decode("utf-8")


def head_commit(git_dir: Path) -> str:
    return git(git_dir, "rev-parse", "HEAD").strip()


def listing(git_dir: Path, path: str) -> list[str]:
    return [line for line in git(git_dir, "ls-tree", "-r", "--name-only", "HEAD", path).splitlines() if line]


def block_text(root) -> str:
    """Text of an lxml tree with one paragraph per block element (Folio's plain-text rendering, captions
    included: it is the page's text, not an extraction)."""
    from articles.extraction.text import html_to_text

    return html_to_text(root, captions=True)


def shingles(text: str) -> Counter:
    tokens = WORD.findall(text)
    if len(tokens) < 4:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + 4]) for i in range(len(tokens) - 3))


def coverage(reference: str, page_html: str) -> float:
    """Share of the reference's 4-word shingles found in the page's text (entities decoded)."""
    try:
        tree = lxml.html.document_fromstring(page_html)
    except Exception:
        return 0.0
    page = shingles(html_module.unescape(block_text(tree)))
    ref = shingles(reference)
    total = sum(ref.values())
    return sum((ref & page).values()) / total if total else 0.0


def language_of(text: str) -> str:
    import py3langid

    return py3langid.classify(text[:5000])[0]


def _version_key(name: str) -> tuple:
    return tuple(int(n) for n in re.findall(r"\d+", name))


def fundus_pages(git_dir: Path):
    base = "tests/resources/parser/test_data"
    files = listing(git_dir, base)
    for meta_path in [f for f in files if f.endswith("/meta.info")]:
        country = meta_path.split("/")[-2]
        meta = json.loads(git(git_dir, "show", f"HEAD:{meta_path}"))
        by_publisher: dict[str, list[str]] = {}
        for name in sorted(meta):
            by_publisher.setdefault(name.split("_", 1)[0], []).append(name)
        for publisher, pages in sorted(by_publisher.items()):
            json_path = f"{base}/{country}/{publisher}.json"
            if json_path not in files:
                continue
            expected = json.loads(git(git_dir, "show", f"HEAD:{json_path}"))
            versions = sorted(expected, key=_version_key)
            if len(versions) != len(pages):
                print(
                    f"skip {country}/{publisher}: {len(versions)} versions, {len(pages)} pages",
                    file=sys.stderr,
                )
                continue
            for version, page_name in zip(versions, sorted(pages), strict=True):
                data = expected[version]
                body = data.get("body") or {}
                paragraphs = list(body.get("summary") or [])
                for section in body.get("sections") or []:
                    paragraphs += list(section.get("headline") or []) + list(section.get("paragraphs") or [])
                reference = "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())
                raw = git(git_dir, "show", f"HEAD:{base}/{country}/{page_name}", binary=True)
                page_html = gzip.decompress(raw).decode("utf-8", "replace")
                yield {
                    "id": f"fundus-{country}-{page_name.removesuffix('.html.gz')}",
                    "url": meta[page_name]["url"],
                    "html": page_html,
                    "articleBody": reference,
                    "source": f"fundus {base}/{country}/{page_name} + {publisher}.json[{version}]",
                    "title": data.get("title") or "",
                    "authors": [a for a in data.get("authors") or [] if isinstance(a, str)],
                    "published": (data.get("publishing_date") or "")[:10],
                }


def readability_pages(git_dir: Path):
    base = "test/test-pages"
    files = set(listing(git_dir, base))
    names = sorted({f.split("/")[2] for f in files})
    for name in names:
        paths = {
            kind: f"{base}/{name}/{kind}"
            for kind in ("source.html", "expected.html", "expected-metadata.json")
        }
        if not all(p in files for p in paths.values()):
            continue
        source = git(git_dir, "show", f"HEAD:{paths['source.html']}")
        expected_html = git(git_dir, "show", f"HEAD:{paths['expected.html']}")
        meta = json.loads(git(git_dir, "show", f"HEAD:{paths['expected-metadata.json']}"))
        reference = block_text(lxml.html.fragment_fromstring(expected_html, create_parent="div"))
        url = f"http://fakehost/test/{name}.html"  # readability's own tests load every page at this address
        yield {
            "id": f"readability-{name}",
            "url": url,
            "html": source,
            "articleBody": reference,
            "source": f"readability {base}/{name}",
            "title": meta.get("title") or "",
            "authors": [meta["byline"]] if meta.get("byline") else [],
            "published": (meta.get("publishedTime") or "")[:10],
        }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fundus", type=Path, required=True, help="git directory of flairNLP/fundus")
    parser.add_argument(
        "--readability", type=Path, required=True, help="git directory of mozilla/readability"
    )
    parser.add_argument("--out", type=Path, required=True, help="output directory (outside the repository)")
    args = parser.parse_args(argv)

    out = args.out
    if (out / "html").exists():
        shutil.rmtree(out / "html")
    (out / "html").mkdir(parents=True)
    truth: dict[str, dict] = {}
    dropped: Counter = Counter()
    for collection, pages in (
        ("fundus", fundus_pages(args.fundus)),
        ("readability", readability_pages(args.readability)),
    ):
        for page in pages:
            words = len(WORD.findall(page["articleBody"]))
            if words < MIN_WORDS:
                dropped[f"{collection}: reference under {MIN_WORDS} words"] += 1
                continue
            if coverage(page["articleBody"], page["html"]) < MIN_COVERAGE:
                dropped[f"{collection}: reference not in the page"] += 1
                continue
            language = language_of(page["articleBody"])
            if language == "la":
                dropped[f"{collection}: lorem ipsum test page"] += 1
                continue
            page_id = page.pop("id")
            (out / "html" / f"{page_id}.html.gz").write_bytes(gzip.compress(page.pop("html").encode("utf-8")))
            page["language"] = language
            page["collection"] = collection
            truth[page_id] = page
    (out / "ground-truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")

    counts = Counter((t["collection"], t["language"]) for t in truth.values())
    languages = Counter(t["language"] for t in truth.values())
    lines = [
        "",
        "## This build",
        "",
        f"- fundus HEAD {head_commit(args.fundus)}, readability HEAD {head_commit(args.readability)}",
        f"- pages kept: {len(truth)}; dropped: "
        + (", ".join(f"{n} ({reason})" for reason, n in sorted(dropped.items())) or "none"),
        "- pages per language: " + ", ".join(f"{lang} {n}" for lang, n in languages.most_common()),
        "- per collection: "
        + ", ".join(
            f"{c}/{lang} {n}" for (c, lang), n in sorted(counts.items(), key=lambda x: (x[0][0], -x[1]))
        ),
        "",
    ]
    readme = (ROOT / "bench" / "corpus2" / "README.md").read_text(encoding="utf-8")
    (out / "README.md").write_text(readme + "\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
