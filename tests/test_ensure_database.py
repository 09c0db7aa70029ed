"""``manage.py ensure_database`` (used by ``make run``): creates a missing PostgreSQL database, or says in one
line what to do; nothing to do on SQLite."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def _run(database_url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "ensure_database"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": database_url, "FOLIO_DATA_DIR": str(ROOT / "data")},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _server_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"


@pytest.mark.postgres
def test_creates_a_missing_postgresql_database():
    name = f"folio_ensure_{uuid.uuid4().hex[:10]}"
    try:
        first = _run(f"{_server_url()}/{name}")
        assert first.returncode == 0, first.stderr
        assert f"created the PostgreSQL database '{name}'" in first.stdout
        again = _run(f"{_server_url()}/{name}")
        assert again.returncode == 0 and again.stdout == "" and again.stderr == ""
    finally:
        with psycopg.connect(f"{_server_url()}/postgres", autocommit=True) as maintenance:
            maintenance.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_unreachable_server_gives_one_line():
    result = _run("postgres://postgres@127.0.0.1:1/folio_nowhere")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert (
        len(lines) == 1
        and lines[0].startswith("Folio: cannot use PostgreSQL")
        and "Traceback" not in result.stderr
    )
