"""The Markdown export is safe when rendered (issue 21.5): an article whose title, tags, text, highlight
quotes and notes carry script, exported through the real export service, rendered with Python-Markdown and
opened in Debian's Chromium, runs nothing, and shows the hostile text as text."""

from __future__ import annotations

import io
import os
import zipfile

import lxml.html
import markdown
import pytest

from articles.services.exporting import export_articles, export_markdown_zip
from tests.browser import CHROMIUM_ARGS, CHROMIUM_PATH
from tests.factories import ArticleFactory, HighlightFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SCRIPT = "<script>alert('title')</script>"
IMG = "<img src=x onerror=\"alert('img')\">"
LINK = "[click me](javascript:alert('link'))"

#: Sanitized-looking HTML as Folio stores it: escaped text that markdownify would otherwise turn into tags,
#: code with a blank line (ends a fenced block where fences are unknown), hostile addresses and alt text.
CONTENT_HTML = (
    "<p>Shown as text: &lt;script&gt;alert('body')&lt;/script&gt; and &lt;img src=x onerror=alert(2)&gt;</p>"
    "<p>A fake link: [click](javascript:alert('fake'))</p>"
    "<pre>first line\n\n&lt;script&gt;alert('pre')&lt;/script&gt;\n```\n&lt;script&gt;alert('fence')&lt;/script&gt;</pre>"
    "<p><a href=\"javascript:alert('href')\">a bad link</a> "
    "<a href=\"https://example.com/a)(b&lt;script&gt;alert('url')&lt;/script&gt;\">a tricky link</a></p>"
    '<p><img alt="&lt;img src=x onerror=alert(\'alt\')&gt;" src="https://example.com/i.png"></p>'
    "<ul><li>&lt;svg onload=alert('li')&gt;</li></ul>"
)


def _render(md: str) -> str:
    return markdown.markdown(md, extensions=["extra"])


def test_markdown_export_runs_no_script_when_rendered(user):
    article = ArticleFactory(
        user=user,
        ready=True,
        title=SCRIPT,
        content_html=CONTENT_HTML,
        tags=[IMG, "plain"],
    )
    HighlightFactory(article=article, quote=f"{IMG}\n{LINK}", note=f"<script>alert('note')</script> {LINK}")
    archive = zipfile.ZipFile(io.BytesIO(export_markdown_zip(export_articles(user=user))))
    (name,) = archive.namelist()
    md = archive.read(name).decode()
    rendered = _render(md)

    tree = lxml.html.fromstring(f"<html><body>{rendered}</body></html>")
    assert not tree.xpath("//script | //iframe | //object | //embed | //svg")
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        assert not [name for name in element.attrib if name.lower().startswith("on")], lxml.html.tostring(
            element
        )
        for attribute in ("href", "src"):
            assert not element.get(attribute, "").strip().lower().startswith("javascript:")
    text = tree.text_content()
    for shown in (
        SCRIPT,
        "<script>alert('body')</script>",
        "alert('pre')",
        "[click](javascript:alert('fake'))",
    ):
        assert shown in text
    assert [a.get("href") for a in tree.xpath("//a")] == [
        "https://example.com/a%29%28b%3Cscript%3Ealert%28'url'%29%3C/script%3E"
    ]

    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    dialogs: list[str] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.set_content(f"<!DOCTYPE html><html><body>{rendered}</body></html>", wait_until="load")
            for link in page.locator("a").all():
                link.click(modifiers=["Alt"], no_wait_after=True)  # Alt: no navigation away
            shown = page.inner_text("body")
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous
    assert dialogs == []
    assert SCRIPT in shown and IMG in shown


def test_markdown_front_matter_keeps_exact_values(user):
    """The front matter stays data: a YAML/JSON reader gets the title and tags exactly."""
    import json

    ArticleFactory(user=user, ready=True, title=SCRIPT, tags=[IMG])
    archive = zipfile.ZipFile(io.BytesIO(export_markdown_zip(export_articles(user=user))))
    md = archive.read(archive.namelist()[0]).decode()
    front = dict(line.split(": ", 1) for line in md.split("---\n")[1].splitlines())
    assert "<" not in md.split("---\n")[1]
    assert json.loads(front["title"]) == SCRIPT
    assert json.loads(front["tags"]) == [IMG]
