"""``python manage.py keep_images [USERNAME ...] [--retry-failed] [--prune]``: keep the images of articles
saved before Folio kept images, with a progress bar."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from articles.errors import ArticleError
from articles.models import ImageJob
from articles.services import media, media_jobs


def _bar(done: int, total: int, width: int = 30) -> str:
    filled = int(width * done / total) if total else width
    return "[" + "#" * filled + "-" * (width - filled) + "]"


class Command(BaseCommand):
    help = (
        "Download, verify and keep the images of ready articles whose images still load from other sites "
        "(every person's, or only those named), and point the articles at Folio's copies."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "usernames", nargs="*", help="Only these people's articles (default: everyone's)."
        )
        parser.add_argument(
            "--retry-failed",
            action="store_true",
            help="Also try again the images Folio could not keep before.",
        )
        parser.add_argument(
            "--prune",
            action="store_true",
            help="Afterwards, delete stored files that no article uses any more.",
        )

    def handle(self, *args, usernames: list[str], retry_failed: bool, prune: bool, **options):
        users = list(get_user_model().objects.filter(username__in=usernames)) if usernames else []
        missing = set(usernames) - {u.get_username() for u in users}
        if missing:
            raise CommandError(f"No user named {', '.join(sorted(missing))}.")
        for user in users or list(get_user_model().objects.filter(articles__isnull=False).distinct()):
            ids = media_jobs.articles_missing_images(user=user, retry_missing=retry_failed)
            if not ids:
                self.stdout.write(f"{user.get_username()}: nothing to do.")
                continue
            try:
                job = media_jobs.image_job_create(
                    user=user, ids=ids, retry_missing=retry_failed, enqueue=False
                )
            except ArticleError as exc:
                raise CommandError(exc.message) from exc

            def progress(current: ImageJob, name: str = user.get_username()) -> None:
                total = len(current.article_ids)
                self.stdout.write(
                    f"\r{name}: {_bar(current.position, total)} {current.position}/{total} articles, "
                    f"{current.stored_count} images kept, {current.failed_count} not kept",
                    ending="",
                )
                self.stdout.flush()

            # Run here rather than in the worker, so that the bar follows the real work.
            media_jobs.image_job_run(job_id=job.pk, progress=progress)
            self.stdout.write("")
        if prune:
            self.stdout.write(f"Deleted {media.images_prune()} unused image files.")
        self.stdout.write(self.style.SUCCESS("Done."))
