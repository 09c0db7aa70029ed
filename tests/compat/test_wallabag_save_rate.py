"""The wallabag API's face of save throttling (tests/services/test_save_rate.py has the rule): a client past
FOLIO_SAVE_RATE_PER_MINUTE gets 429 with Retry-After, and nothing is stored."""

import pytest

from articles import services
from articles.models import Article

pytestmark = pytest.mark.django_db


def test_the_wallabag_api_answers_429_with_retry_after(wb, user, settings):
    settings.FOLIO_SAVE_RATE_PER_MINUTE = 3
    for i in range(3):
        services.article_save_url(origin="form", user=user, url=f"https://example.com/{i}")
    response = wb.post("/api/entries.json", {"url": "https://example.com/app"}, format="json")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert not Article.objects.filter(user=user, url="https://example.com/app").exists()
