"""``manage.py ensure_database``: make sure Folio's database exists before ``migrate`` (used by ``make run``).

SQLite files are created by SQLite itself. For PostgreSQL, a missing database is created (``CREATE
DATABASE``, through the server's ``postgres`` maintenance database) when the configured role may do so;
otherwise the command prints one line saying what to run and exits with status 1, instead of a traceback
from ``migrate``.
"""

from __future__ import annotations

import sys
import warnings

from django.core.management.base import BaseCommand
from django.db import connections
from django.db.utils import OperationalError


def _first_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:200] or type(exc).__name__


def _hint(settings_dict: dict) -> str:
    host = settings_dict.get("HOST") or "localhost"
    port = settings_dict.get("PORT") or "5432"
    user = settings_dict.get("USER") or "postgres"
    return f"createdb -h {host} -p {port} -U {user} {settings_dict['NAME']}"


class Command(BaseCommand):
    help = "Create the PostgreSQL database named in DATABASE_URL if it is missing (or say how to)."

    def handle(self, *args, **options):
        connection = connections["default"]
        if connection.vendor != "postgresql":
            return
        try:
            connection.ensure_connection()
            return
        except OperationalError as exc:
            settings_dict = connection.settings_dict
            name = settings_dict["NAME"]
            if f'database "{name}" does not exist' not in str(exc):
                self._fail(f"cannot use PostgreSQL ({_first_line(exc)}); check DATABASE_URL.")
        try:
            with warnings.catch_warnings(), connection._nodb_cursor() as cursor:
                warnings.simplefilter("ignore", RuntimeWarning)
                quoted = connection.ops.quote_name(name)
                cursor.execute(f"CREATE DATABASE {quoted}")
        except Exception as exc:  # any refusal ends in the same one-line advice
            self._fail(
                f"the database {name!r} does not exist and could not be created ({_first_line(exc)}). "
                f"Create it with: {_hint(settings_dict)}"
            )
        self.stdout.write(f"Folio: created the PostgreSQL database {name!r}.")

    def _fail(self, message: str) -> None:
        self.stderr.write(f"Folio: {message}")
        sys.exit(1)
