"""Tagging rules benchmark: CPU per article of checking a rule set, as a library run and a preview do.

    DATABASE_URL=sqlite:////tmp/folio_rules_bench.sqlite3 .venv/bin/python bench/rules_bench.py --articles 5000

Builds (once per database) ``--articles`` ready articles for the user ``rulesbench`` with 300-word texts
drawn from a fixed vocabulary (one in ten with the rare word of the text rule), and five rules (site, title words, text words, reading time and origin, one
with ``match="any"``), then times, with this process's CPU time beside the wall time:

- ``rule_preview_count`` of the text-words rule (reads ``content_text``) and of the site rule (does not);
- ``rule_run_execute`` of all five rules over the library (the background job's body: read in chunks,
  check, apply the actions through articles.services, save the progress), run twice (the second run finds
  the tags already there).

No broker is needed: the run's row is written here and executed in this process, as the worker would.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORDS = [
    "python",
    "rust",
    "garden",
    "recipe",
    "market",
    "election",
    "climate",
    "football",
    "chess",
    "music",
    "cinema",
    "travel",
    "science",
    "history",
    "design",
    "economy",
    "health",
    "school",
    "energy",
    "river",
    "mountain",
    "city",
    "village",
    "ocean",
    "forest",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reader.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from articles.models import Article
    from articles.urlnorm import normalize_url
    from automation.models import Rule, RuleRun
    from automation.services import rules

    user, _ = get_user_model().objects.get_or_create(username="rulesbench")
    have = Article.objects.filter(user=user).count()
    rng = random.Random(14)
    if have < args.articles:
        batch = []
        for i in range(have, args.articles):
            text = " ".join(rng.choice(WORDS) for _ in range(300)) + (" zebra" if i % 10 == 0 else "")
            url = f"https://{rng.choice(['blog.', 'www.', ''])}{rng.choice(WORDS)}.example/{i}"
            batch.append(
                Article(
                    user=user,
                    url=url,
                    url_key=normalize_url(url),
                    title=" ".join(rng.choice(WORDS) for _ in range(6)).capitalize(),
                    content_text=text,
                    word_count=300,
                    reading_time_minutes=rng.randint(1, 30),
                    origin=rng.choice(["form", "feed", "import", "api"]),
                    status=Article.Status.READY,
                )
            )
        Article.objects.bulk_create(batch, batch_size=1000)
    Rule.objects.filter(user=user).delete()
    specs = [
        ("Site", {"site": "python.example"}, "all"),
        ("Title", {"title_words": "chess music"}, "all"),
        ("Text", {"text_words": "zebra ocean"}, "all"),
        ("Long", {"reading_time_above": 20, "origin": "feed"}, "any"),
        ("Imports", {"origin": "import", "reading_time_below": 3}, "all"),
    ]
    for name, conditions, match in specs:
        rules.rule_create(
            user=user,
            fields=rules.RuleFields(name=name, conditions=conditions, match=match, add_tags=[name.lower()]),
        )
    n = Article.objects.filter(user=user, status="ready").count()

    def timed(label: str, call) -> object:
        wall, cpu = time.perf_counter(), time.process_time()
        result = call()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(
            f"{label:<44} wall {wall:7.2f} s  cpu {cpu:7.2f} s  cpu/article {cpu / n * 1e6:7.0f} µs  -> {result}"
        )
        return result

    print(f"{n} ready articles, {len(specs)} rules, load {os.getloadavg()[0]:.1f}")
    timed(
        "preview, text words (reads the text)",
        lambda: rules.rule_preview_count(user=user, conditions={"text_words": "zebra ocean"}, match="all"),
    )
    timed(
        "preview, site (no text)",
        lambda: rules.rule_preview_count(user=user, conditions={"site": "python.example"}, match="all"),
    )
    for attempt in (1, 2):
        # The run row as rule_run_start writes it, without queueing its task (no broker, no worker here).
        run = RuleRun.objects.create(user=user, total=n)
        done = timed(
            f"library run {attempt}, five rules, actions applied",
            lambda run=run: rules.rule_run_execute(run_id=run.pk),
        )
        assert done.status == RuleRun.Status.DONE, done.error
    print(f"load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
