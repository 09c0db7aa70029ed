"""``manage.py import_articles USERNAME FILE``: progress bar, summary of failures, clear errors."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article, Import

SAMPLES = Path(__file__).resolve().parent / "fixtures" / "imports"
pytestmark = pytest.mark.django_db


def test_command_imports_with_progress_bar(user):
    out = StringIO()
    call_command("import_articles", "reader", str(SAMPLES / "pocket.csv"), stdout=out)
    text = out.getvalue()
    assert "pocket.csv: Pocket (CSV)" in text
    assert "[" + "#" * 30 + "] 4/4 entries (3 new, 0 already saved, 1 rejected)" in text
    assert "line 5: javascript:alert(1) Folio saves http and https addresses only." in text
    assert "Imported 3 new articles" in text
    assert Article.objects.filter(user=user).count() == 3
    assert Import.objects.get().status == "done"


def test_command_twice_creates_no_duplicates(user):
    call_command("import_articles", "reader", str(SAMPLES / "omnivore.zip"), stdout=StringIO())
    out = StringIO()
    call_command("import_articles", "reader", str(SAMPLES / "omnivore.zip"), stdout=out)
    assert "Imported 0 new articles (2 already saved, 0 rejected)." in out.getvalue()


def test_command_errors(user, tmp_path):
    with pytest.raises(CommandError, match="No user named"):
        call_command("import_articles", "nobody", str(SAMPLES / "pocket.csv"))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_articles", "reader", str(tmp_path / "missing.csv"))
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match=r"The file is empty\."):
        call_command("import_articles", "reader", str(empty))
    assert not Import.objects.exists()
