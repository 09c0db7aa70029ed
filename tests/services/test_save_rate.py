"""Save throttling on every face at once (issue 21.4: 150 form saves in 20 s went through): past
FOLIO_SAVE_RATE_PER_MINUTE single saves in 60 seconds a save is refused with the wait, nothing is stored,
and imports neither count nor are refused."""

import pytest

from articles import services
from articles.errors import SaveRateExceeded
from articles.importers import ImportItem
from articles.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def limit_three(settings):
    settings.FOLIO_SAVE_RATE_PER_MINUTE = 3
    return 3


def test_the_fourth_save_in_a_minute_is_refused_with_the_wait_and_stores_nothing(user, limit_three):
    services.article_save_url(origin="form", user=user, url="https://example.com/1")
    services.article_save_url(origin="api", user=user, url="https://example.com/2")
    services.article_save_page(
        origin="bookmarklet",
        user=user,
        url="https://example.com/3",
        html="<html><body><p>x</p></body></html>",
    )
    with pytest.raises(SaveRateExceeded) as refused:
        services.article_save_url(origin="share", user=user, url="https://example.com/4")
    assert 1 <= refused.value.retry_after <= 60
    assert f"wait {refused.value.retry_after} seconds" in refused.value.message
    assert not Article.objects.filter(user=user, url="https://example.com/4").exists()
    assert Article.objects.filter(user=user).count() == 3


def test_other_people_and_imports_are_not_held_back(user, other_user, limit_three):
    for i in range(3):
        services.article_save_url(origin="form", user=user, url=f"https://example.com/{i}")
    services.article_save_url(origin="form", user=other_user, url="https://example.com/0")
    result = services.article_save_many(
        user=user,
        entries=[ImportItem(url=f"https://example.org/imported/{i}", line=i + 1) for i in range(10)],
        origin="import",
        queue_fetch=False,
    )
    assert len(result.created) == 10
    assert Article.objects.filter(user=user).count() == 13
    with pytest.raises(SaveRateExceeded):
        services.article_save_url(origin="form", user=user, url="https://example.com/late")


def test_no_limit_when_the_setting_is_zero(user, settings):
    settings.FOLIO_SAVE_RATE_PER_MINUTE = 0
    for i in range(5):
        services.article_save_url(origin="form", user=user, url=f"https://example.com/{i}")
    assert Article.objects.filter(user=user).count() == 5


def test_the_web_form_says_why_and_saves_nothing(client_logged_in, user, limit_three):
    for i in range(3):
        services.article_save_url(origin="form", user=user, url=f"https://example.com/{i}")
    response = client_logged_in.post("/", {"url": "https://example.com/form"})
    assert "You saved many articles in the last minute" in response.content.decode()
    assert not Article.objects.filter(user=user, url="https://example.com/form").exists()


def test_the_api_answers_429_with_retry_after(api_client, user, limit_three):
    for i in range(3):
        services.article_save_url(origin="form", user=user, url=f"https://example.com/{i}")
    response = api_client.post("/api/articles/", {"url": "https://example.com/api"}, format="json")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["error"] == "throttled"
    assert not Article.objects.filter(user=user, url="https://example.com/api").exists()
