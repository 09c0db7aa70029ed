"""``python manage.py mail_receiver [--host H] [--port P]``: the SMTP receiver of newsletters (its own
process; ``make run`` starts it when FOLIO_MAIL_DOMAIN is set). See newsletters/smtp.py."""

import asyncio

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from newsletters.smtp import serve


class Command(BaseCommand):
    help = "Receive newsletters by SMTP for the addresses <token>@FOLIO_MAIL_DOMAIN (aiosmtpd)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.FOLIO_MAIL_HOST, help="interface (FOLIO_MAIL_HOST)")
        parser.add_argument(
            "--port", type=int, default=settings.FOLIO_MAIL_PORT, help="port (FOLIO_MAIL_PORT)"
        )

    def handle(self, *args, **options):
        if not settings.FOLIO_MAIL_DOMAIN:
            raise CommandError("Set FOLIO_MAIL_DOMAIN (the domain of the receiving addresses) first.")
        asyncio.run(serve(options["host"], options["port"]))
