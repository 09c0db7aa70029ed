"""``manage.py create_token USERNAME [--name NAME]``: print a new API token for a user."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from articles.services.account import api_token_create


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print it (it is stored hashed and cannot be shown again)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="Command-line token")

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        _token, key = api_token_create(user=user, name=name)
        self.stdout.write(key)
