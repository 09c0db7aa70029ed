"""CPU of one library page's rows (50 ``LibraryRow`` view-models built by ``articles.rows.library_rows``
and printed by the Jinja2 row template), per interface language; no database (unsaved articles).

    python bench/rows_bench.py            # best of 60, in English, German, French and Spanish

Figures (README, "Languages"): 2.0 ms per 50 rows in every language on this branch, 1.5 ms before the
translations (the same script on f202ead without ``labels``); a gettext call per word and row took 5-20 ms.
"""

from __future__ import annotations

import os
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reader.settings")

import django

django.setup()

from django.template import engines  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

from articles.models import Article  # noqa: E402
from articles.rows import library_rows, row_labels  # noqa: E402


def main() -> None:
    """Print the best of 60 timings of building and printing 50 rows, per language."""
    now = timezone.now()
    articles = []
    for i in range(50):
        article = Article(
            pk=i + 1,
            user_id=1,
            url=f"https://example.com/{i}",
            title=f"Article {i}",
            status="ready",
            saved_at=now,
            word_count=1200,
            reading_time_minutes=6,
            progress_percent=35.0,
            site_name="Example",
        )
        article.tag_list = []
        articles.append(article)
    template = engines["jinja2"].get_template("articles/_library_rows.html")
    for language in ("en", "de", "fr", "es"):
        translation.activate(language)

        def page() -> str:
            return template.render(
                {
                    "rows": library_rows(articles),
                    "csrf_token": "x",
                    "next_url": "/",
                    "actions_url": "/articles/actions/",
                    "oob": False,
                    "labels": row_labels(translation.get_language()),
                }
            )

        page()
        best = min(timeit.repeat(page, number=1, repeat=60))
        print(f"{language}: {best * 1000:.2f} ms for 50 rows (view-models + Jinja2)")


if __name__ == "__main__":
    main()
