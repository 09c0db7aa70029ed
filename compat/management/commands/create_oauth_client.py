"""``python manage.py create_oauth_client USERNAME [--name NAME]``: an API client for the wallabag API
(what wallabag's ``developer/client/create`` page makes), printed as two lines, ``client_id: …`` and
``client_secret: …``. The secret is stored hashed and is shown only here."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from articles.services import oauth_client_create


class Command(BaseCommand):
    help = "Create a wallabag API client (OAuth2 client id and secret) for USERNAME."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="wallabag app", help="A name to recognise the client by.")

    def handle(self, *args, username: str, name: str, **options) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username!r}.")
        application, secret = oauth_client_create(user=user, name=name)
        self.stdout.write(f"client_id: {application.client_id}")
        self.stdout.write(f"client_secret: {secret}")
