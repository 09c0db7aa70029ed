"""Library views, actions (plain POST and htmx), reader progress and title, tags page, reader settings."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article, ReaderSettings, Tag
from tests.factories import ArticleFactory, TagFactory

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def _assert_csp_clean(html):
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert not re.search(r"\sstyle=", html), "inline style"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"


@pytest.mark.parametrize(
    "path", ["/", "/reading/", "/favorites/", "/archive/", "/all/", "/tags/", "/settings/reader/"]
)
def test_pages_render_without_inline_script_or_style(client_logged_in, user, path):
    ArticleFactory(user=user, title="Article 1", ready=True, site_name="Site", is_favorite=True)
    response = client_logged_in.get(path)
    assert response.status_code == 200
    _assert_csp_clean(response.content.decode())


def test_reader_page_is_csp_clean_and_has_progress_data(client_logged_in, user):
    a = ArticleFactory(
        user=user,
        title="Article 1",
        ready=True,
        content_html="<p>One</p><p>Two</p>",
        progress_percent=40,
        progress_paragraph=1,
    )
    html = client_logged_in.get(f"/articles/{a.pk}/").content.decode()
    _assert_csp_clean(html)
    assert 'data-progress-paragraph="1"' in html and 'data-progress-percent="40.00"' in html
    assert "Details" in html and "Extraction" in html and a.url in html


def test_views_show_the_right_articles(client_logged_in, user):
    ArticleFactory(user=user, ready=True, title="Inbox one")
    ArticleFactory(user=user, ready=True, title="Old one", is_archived=True, is_favorite=True)
    tag = TagFactory(user=user, name="tagged")
    ArticleFactory(user=user, ready=True, title="Tagged one", site_name="Example Site").tags.add(tag)
    assert "Inbox one" in client_logged_in.get("/").content.decode()
    archive = client_logged_in.get("/archive/").content.decode()
    assert "Old one" in archive and "Inbox one" not in archive
    assert "Old one" in client_logged_in.get("/favorites/").content.decode()
    tagged = client_logged_in.get(f"/tags/{tag.pk}/").content.decode()
    assert "Tagged one" in tagged and "Inbox one" not in tagged
    site = client_logged_in.get("/sites/Example%20Site/").content.decode()
    assert "Tagged one" in site and "Inbox one" not in site


def test_other_users_tag_is_404(client_logged_in, other_user):
    tag = TagFactory(user=other_user, name="theirs")
    assert client_logged_in.get(f"/tags/{tag.pk}/").status_code == 404


def test_more_pages_by_cursor_and_bad_cursor(client_logged_in, user, monkeypatch):
    monkeypatch.setattr("articles.views.library.PAGE_SIZE", 3)
    for n in range(7):
        ArticleFactory(user=user, title=f"Article {n}", ready=True)
    html = client_logged_in.get("/all/?sort=oldest").content.decode()
    assert "Article 0" in html and "Article 3" not in html
    more = re.search(r'href="(/all/\?sort=oldest&amp;after=[^"]+)"', html).group(1).replace("&amp;", "&")
    fragment = client_logged_in.get(more, **HX).content.decode()
    assert "<html" not in fragment and "Article 3" in fragment and "Article 0" not in fragment
    assert client_logged_in.get("/all/?after=garbage").status_code == 400


@pytest.mark.parametrize("path", ["/", "/all/", "tag"])
def test_library_page_is_at_most_five_queries(client_logged_in, user, path, monkeypatch):
    monkeypatch.setattr("articles.views.library.PAGE_SIZE", 5)
    tag = TagFactory(user=user, name="t")
    ReaderSettings.objects.create(user=user, theme="dark")
    for n in range(12):
        ArticleFactory(user=user, title=f"Article {n}", ready=True).tags.add(tag)
    url = f"/tags/{tag.pk}/" if path == "tag" else path
    first = client_logged_in.get(url).content.decode()
    after = re.search(r'after=([^"&]+)"', first).group(1)
    with CaptureQueriesContext(connection) as ctx:
        response = client_logged_in.get(f"{url}?after={after}")
    assert response.status_code == 200 and 'data-theme="dark"' in response.content.decode()
    assert len(ctx.captured_queries) <= 5, [q["sql"] for q in ctx.captured_queries]
    assert not any("content_html" in q["sql"] or "COUNT(" in q["sql"].upper() for q in ctx.captured_queries)


def test_action_plain_post_redirects_back(client_logged_in, user):
    a = ArticleFactory(user=user, title="Article 1", ready=True)
    response = client_logged_in.post(
        "/articles/actions/", {"ids": [a.pk], "action": "archive", "next": "/all/"}
    )
    assert response.status_code == 302 and response["Location"] == "/all/"
    assert Article.objects.get(pk=a.pk).is_archived
    # an off-site next is ignored
    response = client_logged_in.post(
        "/articles/actions/", {"ids": [a.pk], "action": "favorite", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_action_htmx_row_and_bulk(client_logged_in, user):
    a, b = (
        ArticleFactory(user=user, title="Article 1", ready=True),
        ArticleFactory(user=user, title="Article 2", ready=True),
    )
    row = client_logged_in.post(
        "/articles/actions/", {"ids": [a.pk], "action": "favorite", "partial": "row"}, **HX
    )
    html = row.content.decode()
    assert html.strip().startswith("<li") and "Unfavorite" in html and f'id="article-{a.pk}"' in html
    bulk = client_logged_in.post("/articles/actions/", {"ids": [a.pk, b.pk], "action": "read"}, **HX)
    html = bulk.content.decode()
    assert "2 articles marked read" in html and html.count('hx-swap-oob="true"') == 2
    assert Article.objects.filter(read_at__isnull=False).count() == 2
    tagged = client_logged_in.post(
        "/articles/actions/", {"ids": [a.pk, b.pk], "action": "tag", "tags": "x, y"}, **HX
    )
    assert "Tagged 2 articles with x, y" in tagged.content.decode()
    tag = Tag.objects.get(user=user, name="x")
    client_logged_in.post("/articles/actions/", {"ids": [a.pk], "action": "untag", "tag": tag.pk}, **HX)
    assert list(Article.objects.get(pk=a.pk).tags.values_list("name", flat=True)) == ["y"]


def test_action_errors(client_logged_in, user):
    a = ArticleFactory(user=user, title="Article 1", ready=True)
    assert (
        client_logged_in.post("/articles/actions/", {"ids": [a.pk], "action": "explode"}, **HX).status_code
        == 400
    )
    assert (
        client_logged_in.post(
            "/articles/actions/", {"ids": [a.pk], "action": "tag", "tags": ""}, **HX
        ).status_code
        == 400
    )
    response = client_logged_in.post("/articles/actions/", {"action": "archive"}, **HX)
    assert "Select some articles first" in response.content.decode()


def test_delete_with_undo_without_javascript(client_logged_in, user):
    a = ArticleFactory(user=user, ready=True, title="Going away")
    response = client_logged_in.post(
        "/articles/actions/", {"ids": [a.pk], "action": "delete", "next": "/"}, follow=True
    )
    html = response.content.decode()
    assert "1 article deleted." in html and 'value="restore"' in html and "Going away" not in html
    client_logged_in.post("/articles/actions/", {"ids": [a.pk], "action": "restore"})
    assert "Going away" in client_logged_in.get("/").content.decode()


def test_delete_with_undo_htmx_row(client_logged_in, user):
    a = ArticleFactory(user=user, ready=True, title="Going away")
    html = client_logged_in.post(
        "/articles/actions/", {"ids": [a.pk], "action": "delete", "partial": "row"}, **HX
    ).content.decode()
    assert "Deleted “Going away”" in html and 'value="restore"' in html
    html = client_logged_in.post(
        "/articles/actions/", {"ids": [a.pk], "action": "restore", "partial": "row"}, **HX
    ).content.decode()
    assert "Archive" in html and Article.objects.get(pk=a.pk).deleted_at is None


def test_reader_actions_partial(client_logged_in, user):
    a = ArticleFactory(user=user, title="Article 1", ready=True)
    html = client_logged_in.post(
        "/articles/actions/", {"ids": [a.pk], "action": "archive", "partial": "reader"}, **HX
    ).content.decode()
    assert 'id="reader-actions"' in html and "Unarchive" in html
    response = client_logged_in.post(
        "/articles/actions/", {"ids": [a.pk], "action": "delete", "partial": "reader"}, **HX
    )
    assert response["HX-Redirect"] == "/"


def test_other_users_articles_are_untouched_by_actions(client_logged_in, other_user):
    theirs = ArticleFactory(user=other_user, title="Article 1", ready=True)
    for action in ("archive", "favorite", "read", "delete"):
        client_logged_in.post("/articles/actions/", {"ids": [theirs.pk], "action": action})
    theirs.refresh_from_db()
    assert not (theirs.is_archived or theirs.is_favorite or theirs.read_at or theirs.deleted_at)
    assert (
        client_logged_in.post(f"/articles/{theirs.pk}/progress/", {"percent": 5, "paragraph": 1}).status_code
        == 404
    )
    assert client_logged_in.post(f"/articles/{theirs.pk}/title/", {"title": "x"}).status_code == 404


def test_progress_endpoint(client_logged_in, user):
    a = ArticleFactory(user=user, title="Article 1", ready=True)
    response = client_logged_in.post(f"/articles/{a.pk}/progress/", {"percent": "52.4", "paragraph": "7"})
    assert response.json() == {"percent": 52.4, "paragraph": 7, "finished": False, "read": False}
    assert "52% read" in client_logged_in.get("/reading/").content.decode()
    response = client_logged_in.post(f"/articles/{a.pk}/progress/", {"percent": "100", "paragraph": "20"})
    assert response.json()["finished"] is True and Article.objects.get(pk=a.pk).read_at is not None
    assert client_logged_in.post(f"/articles/{a.pk}/progress/", {"percent": "nan"}).status_code == 400
    assert client_logged_in.post(f"/articles/{a.pk}/progress/", {"percent": "x"}).status_code == 400
    assert client_logged_in.get(f"/articles/{a.pk}/progress/").status_code == 405


def test_title_edit(client_logged_in, user):
    a = ArticleFactory(user=user, title="Article 1", ready=True)
    html = client_logged_in.post(f"/articles/{a.pk}/title/", {"title": "Better title"}, **HX).content.decode()
    assert 'id="reader-title"' in html and "Better title" in html
    assert client_logged_in.post(f"/articles/{a.pk}/title/", {"title": " "}, **HX).status_code == 400
    assert client_logged_in.post(f"/articles/{a.pk}/title/", {"title": "Plain"}).status_code == 302
    assert Article.objects.get(pk=a.pk).title == "Plain"


def test_title_edited_in_the_reader_while_queued_survives_the_worker(client_logged_in, user):
    """Issue 21.7 through the reader's title form: the article is still queued when the person renames it;
    the worker's extraction (here with a title of its own) does not overwrite the edit."""
    from articles import services
    from tests.services.test_saving import SEED_PAGE

    article, _ = services.article_save_page(
        origin="bookmarklet", user=user, url="https://example.com/queued", html=SEED_PAGE
    )
    assert Article.objects.get(pk=article.pk).status == "queued"
    client_logged_in.post(f"/articles/{article.pk}/title/", {"title": "Named while queued"})
    assert services.article_process(article_id=article.pk) == "ready"
    stored = Article.objects.get(pk=article.pk)
    assert stored.title == "Named while queued" and stored.author == "Extracted Author"


def test_tags_page_rename_merge_delete(client_logged_in, user, other_user):
    a = ArticleFactory(user=user, title="Article 1", ready=True)
    one, two = TagFactory(user=user, name="one"), TagFactory(user=user, name="two")
    a.tags.add(one)
    html = client_logged_in.post(f"/tags/{one.pk}/rename/", {"name": "uno"}, **HX).content.decode()
    assert "Tag renamed to “uno”" in html and 'id="tag-table"' in html
    client_logged_in.post(f"/tags/{one.pk}/merge/", {"into": two.pk})
    assert list(a.tags.values_list("name", flat=True)) == ["two"]
    theirs = TagFactory(user=other_user, name="theirs")
    response = client_logged_in.post(f"/tags/{theirs.pk}/delete/", follow=True)
    assert "No such tag" in response.content.decode() and Tag.objects.filter(pk=theirs.pk).exists()
    client_logged_in.post(f"/tags/{two.pk}/delete/")
    assert not Tag.objects.filter(user=user).exists() and Article.objects.filter(pk=a.pk).exists()


def test_reader_settings_page(client_logged_in, user):
    html = client_logged_in.get("/settings/reader/").content.decode()
    assert ReaderSettings.objects.filter(user=user).exists() and 'data-theme="system"' in html
    data = {"font": "sans", "font_size": "22", "line_height": "1.8", "column_width": "44", "theme": "sepia"}
    assert client_logged_in.post("/settings/reader/", data).status_code == 302
    settings = ReaderSettings.objects.get(user=user)
    assert (
        settings.font,
        settings.font_size,
        settings.line_height,
        settings.column_width,
        settings.theme,
    ) == ("sans", 22, 1.8, 44, "sepia")
    a = ArticleFactory(user=user, title="Article 1", ready=True, content_html="<p>x</p>")
    html = client_logged_in.get(f"/articles/{a.pk}/").content.decode()
    assert 'data-theme="sepia"' in html and "font-sans fs-22 lh-18 cw-44" in html
    bad = client_logged_in.post("/settings/reader/", {**data, "font_size": "99"})
    assert bad.status_code == 200 and ReaderSettings.objects.get(user=user).font_size == 22
