"""Test data builders (factory_boy): every test builds rows with these, never with ``Model.objects.create``.

``ArticleFactory`` gives an article with a unique address and its normalized key; traits give the states
(``ArticleFactory(ready=True)``, ``failed=True``, ``read=True``, ``archived=True``, ``favorite=True``,
``deleted=True``), ``tags=["a", "b"]`` adds tags by name, and ``language="fr"`` sets the search
configuration the way processing does. ``ArticleFactory(ready=True)`` holds content as processing stores it
(text, sanitized HTML, hash, word count). Behaviour under test goes through the services; factories only
set the scene.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from articles.languages import search_config_for
from articles.models import ApiToken, Article, Highlight, Import, ReaderSettings, SavedSearch, Tag
from articles.tokens import token_digest
from articles.urlnorm import normalize_url

PASSWORD = "correct horse battery"


class UserFactory(factory.django.DjangoModelFactory):
    """A person who can log in with PASSWORD."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"reader{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password(PASSWORD)


class TagFactory(factory.django.DjangoModelFactory):
    """A tag of ``user`` (a new user if none is given)."""

    class Meta:
        model = Tag
        django_get_or_create = ("user", "name")

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"tag {n}")


class ArticleFactory(factory.django.DjangoModelFactory):
    """An article of ``user``; ``queued`` unless a trait says otherwise."""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    class Params:
        ready = factory.Trait(
            status=Article.Status.READY,
            content_text=factory.LazyAttribute(lambda a: f"The text of {a.title or a.url}."),
            content_html=factory.LazyAttribute(lambda a: f"<p>{a.content_text}</p>"),
            content_hash=factory.LazyAttribute(lambda a: hashlib.sha256(a.content_text.encode()).hexdigest()),
            word_count=factory.LazyAttribute(lambda a: len(a.content_text.split())),
            fetched_at=factory.LazyFunction(timezone.now),
        )
        failed = factory.Trait(
            status=Article.Status.FAILED, failure_reason="The server answered 404 Not Found."
        )
        read = factory.Trait(read_at=factory.LazyFunction(timezone.now))
        archived = factory.Trait(is_archived=True)
        favorite = factory.Trait(is_favorite=True)
        deleted = factory.Trait(deleted_at=factory.LazyFunction(timezone.now))

    user = factory.SubFactory(UserFactory)
    url = factory.Sequence(lambda n: f"https://example.com/{n}")
    url_key = factory.LazyAttribute(lambda a: normalize_url(a.url))
    title = factory.Sequence(lambda n: f"Article {n}")
    language = ""
    search_config = factory.LazyAttribute(lambda a: search_config_for(a.language))
    reading_time_minutes = factory.LazyAttribute(lambda a: Article.reading_time_for(a.word_count))

    @factory.post_generation
    def tags(obj, create, extracted, **kwargs):
        """``tags=["name", ...]`` (names, or Tag objects) adds those tags of the article's user."""
        if create and extracted:
            obj.tags.add(
                *(
                    name if isinstance(name, Tag) else TagFactory(user=obj.user, name=name)
                    for name in extracted
                )
            )


class HighlightFactory(factory.django.DjangoModelFactory):
    """A highlight of an article (a new article if none is given)."""

    class Meta:
        model = Highlight

    article = factory.SubFactory(ArticleFactory, ready=True)
    quote = "The text"
    note = ""
    anchor = factory.LazyFunction(dict)


class ImportFactory(factory.django.DjangoModelFactory):
    """An import job row (no file), ``done`` by default."""

    class Meta:
        model = Import

    user = factory.SubFactory(UserFactory)
    filename = "export.csv"
    format = "pocket_csv"
    status = Import.Status.DONE


class SavedSearchFactory(factory.django.DjangoModelFactory):
    """A saved search of ``user``."""

    class Meta:
        model = SavedSearch

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"search {n}")
    query = "climate"


class ReaderSettingsFactory(factory.django.DjangoModelFactory):
    """The reader settings of ``user``."""

    class Meta:
        model = ReaderSettings
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)


class ApiTokenFactory(factory.django.DjangoModelFactory):
    """A token row of ``user`` whose key is ``key`` (default: a fixed test key)."""

    class Meta:
        model = ApiToken
        exclude = ("key",)

    user = factory.SubFactory(UserFactory)
    key = factory.Sequence(lambda n: f"folio_test-key-{n:08d}")
    digest = factory.LazyAttribute(lambda t: token_digest(t.key))
    prefix = factory.LazyAttribute(lambda t: t.key[6:14])


class OAuthClientFactory(factory.django.DjangoModelFactory):
    """A wallabag API client (django-oauth-toolkit Application) of ``user`` whose secret is
    ``OAUTH_CLIENT_SECRET`` (stored hashed, as services.apps.oauth_client_create stores it)."""

    class Meta:
        model = "oauth2_provider.Application"

    user = factory.SubFactory(UserFactory)
    name = "wallabag app"
    client_type = "confidential"
    authorization_grant_type = "password"
    client_secret = "test-client-secret"
    redirect_uris = ""


OAUTH_CLIENT_SECRET = "test-client-secret"


class AccessTokenFactory(factory.django.DjangoModelFactory):
    """An OAuth2 access token of ``user`` through ``application`` (expired with ``expired=True``)."""

    class Meta:
        model = "oauth2_provider.AccessToken"

    class Params:
        expired = factory.Trait(expires=factory.LazyFunction(lambda: timezone.now() - timedelta(seconds=1)))

    user = factory.SubFactory(UserFactory)
    application = factory.SubFactory(OAuthClientFactory, user=factory.SelfAttribute("..user"))
    token = factory.Sequence(lambda n: f"test-access-token-{n:08d}")
    expires = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))
    scope = "read write"
