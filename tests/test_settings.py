"""Settings parsing, start-up checks and the management commands used by `make run`."""

import ipaddress
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from reader.envparse import broker_settings, parse_networks, secret_key_from_file

ROOT = Path(__file__).resolve().parents[1]


def test_parse_networks():
    assert parse_networks("") == []
    assert parse_networks(" 127.0.0.1/8, ::1/128 ,") == [
        ipaddress.ip_network("127.0.0.0/8"),
        ipaddress.ip_network("::1/128"),
    ]
    with pytest.raises(ValueError, match="not a CIDR"):
        parse_networks("10.0.0.0/8, localhost")


def test_broker_defaults_to_filesystem(tmp_path):
    url, options = broker_settings("", "", tmp_path)
    assert url == "filesystem://"
    assert Path(options["data_folder_in"]).is_dir()
    assert Path(options["control_folder"]).is_dir() and str(tmp_path) in options["control_folder"]


def test_broker_prefers_explicit_url(tmp_path):
    assert broker_settings("redis://a:6379/1", "redis://b:6379/0", tmp_path)[0] == "redis://a:6379/1"
    assert broker_settings("", "redis://b:6379/0", tmp_path)[0] == "redis://b:6379/0"


def test_secret_key_created_once(tmp_path):
    path = tmp_path / "secret_key"
    first = secret_key_from_file(path)
    assert len(first) >= 50 and secret_key_from_file(path) == first
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def _check_deploy(tmp_path, allowed_networks: str) -> subprocess.CompletedProcess:
    """Run ``manage.py check --deploy`` in a fresh process with production settings."""
    env = {
        **os.environ,
        "DEBUG": "false",
        "FOLIO_HTTPS": "true",
        "ALLOWED_HOSTS": "folio.example.com",
        "SECRET_KEY": "x7" * 30 + "-production-secret-key",
        "FOLIO_DATA_DIR": str(tmp_path),
        "FETCH_ALLOWED_NETWORKS": allowed_networks,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the Playwright tests in this process
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_clean_with_production_settings(tmp_path):
    result = _check_deploy(tmp_path, "")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_about_private_fetching_in_production(tmp_path):
    result = _check_deploy(tmp_path, "10.0.0.0/8")
    assert result.returncode != 0 and "folio.W001" in result.stderr + result.stdout


@pytest.mark.django_db
def test_ensure_user_creates_first_user_once(capsys, django_user_model):
    call_command("ensure_user")
    out = capsys.readouterr().out
    assert "Log in as 'folio' with password '" in out
    password = out.split("password '", 1)[1].split("'", 1)[0]
    assert django_user_model.objects.get(username="folio").check_password(password)
    call_command("ensure_user")
    assert django_user_model.objects.count() == 1


def test_env_example_lists_every_folio_setting():
    """README, "Configuration": `.env.example` lists every variable with its default. The feeds, webhooks,
    EPUB export jobs and resumable imports had added theirs to the settings only."""
    root = Path(__file__).resolve().parents[1]
    read = set(re.findall(r'env(?:\.\w+)?\(\s*"(FOLIO_\w+)"', (root / "reader" / "settings.py").read_text()))
    listed = set(re.findall(r"^#\s*(FOLIO_\w+)=", (root / ".env.example").read_text(), re.MULTILINE))
    assert len(read) > 40
    assert read - listed == set()
