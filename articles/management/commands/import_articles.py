"""``python manage.py import_articles USERNAME FILE [--wait]``: import an export file with a progress bar."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from articles import services
from articles.importers import FORMATS
from articles.models import Import
from articles.services.importing import ImportRejectedError


def _bar(done: int, total: int, width: int = 30) -> str:
    filled = int(width * done / total) if total else width
    return "[" + "#" * filled + "-" * (width - filled) + "]"


class Command(BaseCommand):
    help = "Import a Pocket, Instapaper, wallabag, Omnivore, Readwise Reader, bookmarks or Folio export file."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("file", type=Path)
        parser.add_argument("--wait", action="store_true", help="Wait for the worker to fetch every article.")

    def handle(self, *args, username: str, file: Path, wait: bool, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"No user named {username!r}.") from exc
        try:
            with file.open("rb") as handle:
                data = handle.read(settings.FOLIO_IMPORT_MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
        try:
            job = services.import_create(user=user, data=data, filename=file.name, enqueue=False)
        except ImportRejectedError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{file.name}: {FORMATS.get(job.format, job.format)}")

        def progress(current: Import) -> None:
            written = current.created_count + current.duplicate_count + current.failed_count
            self.stdout.write(
                f"\r{_bar(written, current.total)} {written}/{current.total} entries "
                f"({current.created_count} new, {current.duplicate_count} already saved, "
                f"{current.failed_count} rejected)",
                ending="",
            )
            self.stdout.flush()

        # Run here rather than in the worker, so the bar follows the real work.
        result = services.import_run(import_id=job.pk, progress=progress)
        self.stdout.write("")
        if result is None:
            raise CommandError("A worker is already running this import; follow it on the import page.")
        if result.status == Import.Status.FAILED:
            raise CommandError(result.error)
        for failure in result.failures[:50]:
            where = f"line {failure['line']}" if failure["line"] else "file"
            self.stdout.write(f"  {where}: {failure['url']} {failure['reason']}".rstrip())
        if wait:
            while True:
                counts = services.import_progress(result)
                done = counts["ready"] + counts["failed"]
                total = done + counts["remaining"]
                self.stdout.write(
                    f"\r{_bar(done, total)} fetched {counts['ready']}, failed {counts['failed']}, "
                    f"remaining {counts['remaining']}",
                    ending="",
                )
                self.stdout.flush()
                if not counts["remaining"]:
                    break
                time.sleep(1)
            self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.created_count} new articles ({result.duplicate_count} already saved, "
                f"{result.failed_count} rejected)."
            )
        )
