"""``manage.py ensure_user``: make sure a first user exists and say how to log in (used by ``make run``)."""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create a first superuser if no user exists, and print how to log in."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="folio")

    def handle(self, *args, username, **options):
        User = get_user_model()
        if User.objects.exists():
            self.stdout.write("Log in with your Folio user name and password.")
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(f"Created the first user. Log in as '{username}' with password '{password}'")
            + "\n(change it at /account/password/)."
        )
