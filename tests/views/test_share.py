"""The share target (issue 12 item 2): the operating system's POST saves nothing and leads to a CSRF-protected
confirmation; logged out, the share survives the log-in; the confirmed save goes through article_save_url with
origin "share"."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article
from articles.urlnorm import find_url
from tests.factories import PASSWORD


@pytest.mark.parametrize(
    ("texts", "found"),
    [
        (("", "Read this: https://example.com/a/b?c=1."), "https://example.com/a/b?c=1"),
        (("https://example.org/x", "Read this: https://example.com/"), "https://example.org/x"),
        (
            ("", "See (https://en.wikipedia.org/wiki/Folio_(book)), later"),
            "https://en.wikipedia.org/wiki/Folio_(book)",
        ),
        (("", "“https://example.com/quoted”"), "https://example.com/quoted"),
        (("", "no address here", "nor here"), ""),
        (("", "", "Title https://example.net/t"), "https://example.net/t"),
    ],
)
def test_find_url_in_shared_text(texts, found):
    assert find_url(*texts) == found


def android_share(client: Client, **fields):
    """POST to the share target as Android's share sheet does: multipart, no CSRF token."""
    data = {"title": "", "text": "", "url": "", **fields}
    return client.post(reverse("articles:share"), data)  # the test client posts multipart/form-data


@pytest.mark.django_db
def test_share_post_saves_nothing_and_redirects_to_the_confirmation(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = android_share(client, title="A long read", text="Read this: https://example.com/story?id=4 !")
    assert response.status_code == 303
    target = urlsplit(response["Location"])
    assert target.path == reverse("articles:share_confirm")
    assert parse_qs(target.query) == {"url": ["https://example.com/story?id=4"], "title": ["A long read"]}
    assert not Article.objects.exists()
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="https://example.com/story?id=4"' in html and 'name="csrfmiddlewaretoken"' in html
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_share_target_refuses_get_and_confirm_post_needs_the_csrf_token(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.get(reverse("articles:share")).status_code == 405
    response = client.post(reverse("articles:share_confirm"), {"url": "https://example.com/x", "tags": ""})
    assert response.status_code == 403
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_confirm_saves_through_the_service_with_origin_share_and_tags(client_logged_in, user):
    response = client_logged_in.post(
        reverse("articles:share_confirm"),
        {"url": "https://example.com/story", "title": "Shared title", "tags": "phone, later"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("articles:library")
    article = Article.objects.get(user=user)
    assert article.origin == "share" and article.status == "queued" and article.title == "Shared title"
    assert sorted(article.tags.values_list("name", flat=True)) == ["later", "phone"]


@pytest.mark.django_db
def test_share_without_an_address_asks_for_one(client_logged_in):
    response = android_share(client_logged_in, text="nothing to see")
    page = client_logged_in.get(response["Location"])
    assert "No web address was found" in page.content.decode()
    bad = client_logged_in.post(reverse("articles:share_confirm"), {"url": "not a url", "tags": ""})
    assert bad.status_code == 400 and not Article.objects.exists()


@pytest.mark.django_db
def test_logged_out_share_goes_through_after_logging_in(user):
    client = Client(enforce_csrf_checks=True)
    response = android_share(client, title="Later", text="https://example.com/after-login")
    confirm = client.get(response["Location"])
    assert confirm.status_code == 302 and confirm["Location"].startswith(reverse("login"))
    login_page = client.get(confirm["Location"])
    token = login_page.cookies["csrftoken"].value
    next_url = parse_qs(urlsplit(confirm["Location"]).query)["next"][0]
    logged_in = client.post(
        reverse("login"),
        {"username": user.username, "password": PASSWORD, "next": next_url, "csrfmiddlewaretoken": token},
    )
    assert logged_in.status_code == 302 and logged_in["Location"] == next_url
    page = client.get(next_url)
    assert 'value="https://example.com/after-login"' in page.content.decode()
    token = page.cookies.get("csrftoken", client.cookies["csrftoken"]).value
    client.post(
        reverse("articles:share_confirm"),
        {
            "url": "https://example.com/after-login",
            "title": "Later",
            "tags": "",
            "csrfmiddlewaretoken": token,
        },
    )
    assert Article.objects.get(user=user).origin == "share"


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_android_share_confirmed_becomes_ready_in_the_real_worker(
    client_logged_in, user, page_server, celery_worker_process
):
    from tests.pageserver import wait_for

    paragraph = "<p>" + " ".join(["Night trains cross the plain while the city sleeps."] * 12) + "</p>"
    url = page_server.add(
        "/share/night-trains.html",
        f"<html><head><title>Night trains</title></head><body><article><h1>Night trains</h1>"
        f"{paragraph * 4}</article></body></html>",
    )
    shared = android_share(client_logged_in, title="Night trains", text=f"Read this: {url}", url="")
    page = client_logged_in.get(shared["Location"])
    assert f'value="{url}"' in page.content.decode() and not Article.objects.exists()
    client_logged_in.post(
        reverse("articles:share_confirm"), {"url": url, "title": "Night trains", "tags": "rail"}
    )
    article = Article.objects.get(user=user)
    assert wait_for(lambda: Article.objects.get(pk=article.pk).status in ("ready", "failed"), timeout=60), (
        celery_worker_process.log()[-2000:]
    )
    article.refresh_from_db()
    assert article.status == "ready", (article.failure_reason, celery_worker_process.log()[-2000:])
    assert article.origin == "share" and "Night trains cross the plain" in article.content_text
