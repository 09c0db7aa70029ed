"""Deleting an account (issue 16 item 1) removes every row and stored image of that person and nothing of
anyone else: one service, ``articles.services.account.account_delete``, behind the page."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.storage import storages
from django.test import Client

from accounts.services import sharing
from articles import services
from articles.models import Article, ArticleImage, Highlight, Tag
from articles.services import media
from articles.services.account import account_delete, api_token_create
from tests import imagefiles
from tests.factories import PASSWORD, HighlightFactory, ImportFactory, SavedSearchFactory

pytestmark = pytest.mark.django_db

PARA = "<p>" + " ".join(["Gulls followed the trawler back into the harbour at noon."] * 6) + "</p>"


def _save_with_images(user, page_server, name: str, images: list[str]) -> Article:
    figures = "".join(f'<figure><img src="{src}" alt="pic"></figure>{PARA}' for src in images)
    html = f"<html><head><title>{name}</title></head><body><article><h1>{name}</h1>{PARA}{figures}{PARA}</article></body></html>"
    article, _ = services.article_save_url(
        origin="form",
        user=user,
        url=page_server.add(f"/del/{user.username}-{name}.html", html),
        tags=["boats"],
    )
    assert services.article_process(article_id=article.pk) == "ready"
    return Article.objects.get(pk=article.pk)


def _user_rows(user_id: int) -> dict[str, int]:
    """Rows pointing at ``user_id`` in every table with a foreign key to the user model."""
    counts = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.many_to_one and field.related_model is get_user_model() and field.concrete:
                counts[f"{model._meta.label}.{field.name}"] = model.objects.filter(
                    **{field.name: user_id}
                ).count()
    return counts


def test_deleting_an_account_removes_everything_of_that_person_only(user, other_user, page_server):
    shared_pic = page_server.add(
        "/del/shared.jpg", imagefiles.photo(700, 500), headers={"Content-Type": "image/jpeg"}
    )
    own_pic = page_server.add(
        "/del/own.jpg", imagefiles.photo(641, 481), headers={"Content-Type": "image/jpeg"}
    )
    mine = _save_with_images(user, page_server, "mine", [shared_pic, own_pic])
    theirs = _save_with_images(other_user, page_server, "theirs", [shared_pic])
    HighlightFactory(article=mine, quote="Gulls followed")
    HighlightFactory(article=theirs, quote="Gulls followed")
    ImportFactory(user=user)
    SavedSearchFactory(user=user)
    api_token_create(user=user)
    sharing.share_create(user=user, article_id=mine.pk)
    api_token_create(user=other_user)
    storage = storages["images"]
    my_images = {row.digest: row for row in ArticleImage.objects.filter(user=user, status="stored")}
    their_digests = set(
        ArticleImage.objects.filter(user=other_user, status="stored").values_list("digest", flat=True)
    )
    assert len(my_images) == 2 and len(their_digests) == 1 and their_digests < set(my_images)
    before_other = _user_rows(other_user.pk)
    other_highlights = Highlight.objects.filter(article__user=other_user).count()
    assert sum(_user_rows(user.pk).values()) > 0

    deletion = account_delete(user=user)

    assert deletion.articles == 1 and deletion.image_files == 1
    assert not get_user_model().objects.filter(pk=user.pk).exists()
    assert set(_user_rows(user.pk).values()) == {0}
    assert (
        not Article.objects.filter(pk=mine.pk).exists() and not Tag.objects.filter(user_id=user.pk).exists()
    )
    assert not Highlight.objects.filter(article_id=mine.pk).exists()
    for digest, row in my_images.items():
        exists = storage.exists(media.image_name(digest, row.extension))
        assert exists is (digest in their_digests), digest
    # Nothing of the other person changed.
    assert _user_rows(other_user.pk) == before_other
    assert Highlight.objects.filter(article__user=other_user).count() == other_highlights
    assert Article.objects.get(pk=theirs.pk).status == "ready"


def test_the_page_asks_for_the_password_and_deletes(client_logged_in, user, settings):
    wrong = client_logged_in.post("/account/delete/", {"password": "nope", "confirm": "delete"})
    assert wrong.status_code == 400 and get_user_model().objects.filter(pk=user.pk).exists()
    unconfirmed = client_logged_in.post("/account/delete/", {"password": PASSWORD, "confirm": "yes"})
    assert unconfirmed.status_code == 400 and get_user_model().objects.filter(pk=user.pk).exists()
    done = client_logged_in.post("/account/delete/", {"password": PASSWORD, "confirm": "delete"})
    assert done.status_code == 302 and done["Location"] == "/login/"
    assert not get_user_model().objects.filter(pk=user.pk).exists()
    assert "_auth_user_id" not in client_logged_in.session
    assert Client().post("/login/", {"username": "reader", "password": PASSWORD}).status_code == 200
