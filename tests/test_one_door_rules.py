"""The three rules of issue 15, the same on every face (the pages and Folio's API), because every face ends
in the same service (services.tags.tag_rename, services.library.article_update):

- renaming a tag onto a name another tag has merges the two (page: a message; API: 200 with the merged tag);
- a blank title is refused (page: the message, 400 for htmx; API: 400 ``invalid``);
- reading progress at or past FINISHED_PERCENT (98 %) marks the article read.
"""

import pytest
from django.core.cache import cache

from articles.limits import FINISHED_PERCENT
from articles.models import Article, Tag
from tests.factories import ArticleFactory, TagFactory

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def tagged(user):
    """Two tags: "py" on articles a and b, "Python" on b."""
    py, python = TagFactory(user=user, name="py"), TagFactory(user=user, name="Python")
    a = ArticleFactory(user=user, tags=[py])
    b = ArticleFactory(user=user, tags=[py, python])
    return py, python, a, b


def _assert_merged(user, py, python, a, b):
    assert not Tag.objects.filter(pk=py.pk).exists()
    assert list(Tag.objects.filter(user=user).values_list("name", flat=True)) == ["Python"]
    assert set(python.articles.values_list("pk", flat=True)) == {a.pk, b.pk}


# --- rename onto an existing name merges ------------------------------------------------------------------


def test_page_rename_onto_existing_name_merges_with_a_message(client_logged_in, user, tagged):
    py, python, a, b = tagged
    html = client_logged_in.post(f"/tags/{py.pk}/rename/", {"name": "PYTHON"}, **HX).content.decode()
    assert "merged" in html and "Python" in html
    _assert_merged(user, py, python, a, b)


def test_api_rename_onto_existing_name_merges_and_answers_200(api_client, user, tagged):
    py, python, a, b = tagged
    response = api_client.patch(f"/api/tags/{py.pk}/", {"name": "python"}, format="json")
    assert response.status_code == 200
    assert response.json() == {**response.json(), "id": python.pk, "name": "Python", "article_count": 2}
    _assert_merged(user, py, python, a, b)


# --- a blank title is refused -----------------------------------------------------------------------------


@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_page_refuses_a_blank_title(client_logged_in, user, blank):
    article = ArticleFactory(user=user, title="Kept")
    response = client_logged_in.post(f"/articles/{article.pk}/title/", {"title": blank}, **HX)
    assert response.status_code == 400 and "The title cannot be empty." in response.content.decode()
    plain = client_logged_in.post(f"/articles/{article.pk}/title/", {"title": blank}, follow=True)
    assert "The title cannot be empty." in plain.content.decode()
    assert Article.objects.get(pk=article.pk).title == "Kept"


@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_api_refuses_a_blank_title(api_client, user, blank):
    article = ArticleFactory(user=user, title="Kept")
    response = api_client.patch(f"/api/articles/{article.pk}/", {"title": blank}, format="json")
    assert response.status_code == 400
    assert response.json() == {"error": "invalid", "detail": "The title cannot be empty."}
    assert Article.objects.get(pk=article.pk).title == "Kept"


# --- progress at or past 98 % marks read ------------------------------------------------------------------


@pytest.mark.parametrize(("percent", "read"), [(97.5, False), (FINISHED_PERCENT, True), (100, True)])
def test_page_progress_marks_read_at_the_threshold(client_logged_in, user, percent, read):
    article = ArticleFactory(user=user, ready=True)
    body = client_logged_in.post(
        f"/articles/{article.pk}/progress/", {"percent": str(percent), "paragraph": "3"}
    ).json()
    assert body["read"] is read and body["finished"] is read
    assert Article.objects.get(pk=article.pk).is_read is read


@pytest.mark.parametrize(("percent", "read"), [(97.5, False), (FINISHED_PERCENT, True), (100, True)])
def test_api_progress_marks_read_at_the_threshold(api_client, user, percent, read):
    article = ArticleFactory(user=user, ready=True)
    response = api_client.patch(f"/api/articles/{article.pk}/", {"progress_percent": percent}, format="json")
    assert response.status_code == 200 and response.json()["is_read"] is read
    assert Article.objects.get(pk=article.pk).is_read is read
