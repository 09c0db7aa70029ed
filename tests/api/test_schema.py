"""The OpenAPI schema stays true: it is valid OpenAPI 3, lists every API route, the docs page renders
under Folio's CSP, and a bounded schemathesis run against the live app finds no 5xx and no answer that
breaks the schema."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from drf_spectacular.validation import validate_schema

EXPECTED_OPERATIONS = {
    ("/api/articles/", "get"),
    ("/api/articles/", "post"),
    ("/api/articles/{id}/", "get"),
    ("/api/articles/{id}/", "patch"),
    ("/api/articles/{id}/", "delete"),
    ("/api/articles/{id}/refetch/", "post"),
    ("/api/tags/", "get"),
    ("/api/tags/{id}/", "get"),
    ("/api/tags/{id}/", "patch"),
    ("/api/tags/{id}/", "delete"),
    ("/api/tags/{id}/merge/", "post"),
    # highlights (issue 17)
    ("/api/highlights/", "get"),
    ("/api/highlights/{id}/", "get"),
    ("/api/highlights/{id}/", "patch"),
    ("/api/highlights/{id}/", "delete"),
    ("/api/articles/{id}/highlights/", "get"),
    ("/api/articles/{id}/highlights/", "post"),
    # accounts (issue 16): share links, the person's account, administrators' people and invitations
    ("/api/shares/", "get"),
    ("/api/shares/", "post"),
    ("/api/shares/{id}/", "get"),
    ("/api/shares/{id}/", "delete"),
    ("/api/shares/revoke-all/", "post"),
    ("/api/account/", "get"),
    ("/api/account/", "patch"),
    ("/api/account/", "delete"),
    ("/api/people/", "get"),
    ("/api/people/{id}/", "patch"),
    ("/api/invitations/", "post"),
    # newsletters by e-mail (issue 14 item 2): the private address and the IMAP mailbox
    ("/api/newsletters/address/", "get"),
    ("/api/newsletters/address/rotate/", "post"),
    ("/api/newsletters/mailbox/", "get"),
    ("/api/newsletters/mailbox/", "put"),
    ("/api/newsletters/mailbox/", "delete"),
    # feeds (issue 14, item 1): subscriptions, poll now, a feed's articles, OPML
    ("/api/feeds/", "get"),
    ("/api/feeds/", "post"),
    ("/api/feeds/{id}/", "get"),
    ("/api/feeds/{id}/", "patch"),
    ("/api/feeds/{id}/", "delete"),
    ("/api/feeds/{id}/poll/", "post"),
    ("/api/feeds/{id}/articles/", "get"),
    ("/api/feeds/opml/", "get"),
    ("/api/feeds/opml/", "post"),
    # automation (issue 14): tagging rules, their library runs, webhooks
    ("/api/rules/", "get"),
    ("/api/rules/", "post"),
    ("/api/rules/order/", "post"),
    ("/api/rules/preview/", "post"),
    ("/api/rules/apply/", "post"),
    ("/api/rules/{id}/", "get"),
    ("/api/rules/{id}/", "patch"),
    ("/api/rules/{id}/", "delete"),
    ("/api/rule-runs/{id}/", "get"),
    ("/api/webhooks/", "get"),
    ("/api/webhooks/", "post"),
    ("/api/webhooks/{id}/", "get"),
    ("/api/webhooks/{id}/", "patch"),
    ("/api/webhooks/{id}/", "delete"),
    ("/api/webhooks/{id}/deliveries/", "get"),
    ("/api/webhooks/{id}/test/", "post"),
}

#: The checks the run applies: no server error, and every answer (status, content type, headers, body)
#: as the schema documents it. Two of schemathesis' checks are left out on purpose:
#: ``positive_data_acceptance`` (a schema-valid address such as "https://0.a:0" can still be refused by
#: Folio's URL rule, and text with NUL characters is refused by DRF) and ``negative_data_rejection``
#: (schemathesis counts as "schema-violating" extra properties the schema allows, and DRF ignores them).
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "use_after_free",
        "ensure_resource_availability",
        "ignored_auth",
    ]
)
#: Examples per operation and phase; with 53 operations the whole run takes about four minutes here.
MAX_EXAMPLES = 8


@pytest.mark.django_db
def test_schema_is_valid_openapi_3_with_every_operation(client_logged_in):
    response = client_logged_in.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    operations = {(path, method) for path, item in schema["paths"].items() for method in item}
    assert operations == EXPECTED_OPERATIONS
    for path, method in operations:
        responses = schema["paths"][path][method]["responses"]
        assert {"401", "403"} <= set(responses), (path, method)
        assert "429" in responses, (path, method)  # write rate, or too many invalid tokens
    assert schema["components"]["securitySchemes"]["tokenAuth"]["in"] == "header"


@pytest.mark.django_db
def test_docs_page_renders_without_inline_script(client_logged_in):
    response = client_logged_in.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html and "<script>" not in html.replace(" ", "")
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_server_error_and_no_schema_violation(live_server, user, settings, tmp_path):
    """``schemathesis run`` (CLI, as in CI) against the live app with a token; writes are not throttled
    during the run, and the saves it makes go to a queue no worker reads (purged afterwards), so nothing
    reaches the internet."""
    from articles.services.account import api_token_create

    settings.FOLIO_API_WRITE_RATE = ""
    settings.FOLIO_SAVE_RATE_PER_MINUTE = 0
    # Its ignored_auth check sends wrong tokens on purpose: the invalid-token throttling would soon answer
    # 429 to everything from this address (tested in tests/accounts/test_throttling.py).
    settings.AXES_ENABLED = False
    queue = f"folio-schemathesis-{uuid.uuid4().hex[:8]}"
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    settings.FOLIO_FEED_QUEUE = queue  # feed polls ("poll now") go to the same unread queue
    settings.FOLIO_IMPORT_QUEUE = f"{queue}-import"  # library runs of tagging rules
    key = api_token_create(user=user, name="schemathesis")[1]
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--no-color",
        "run",
        f"{live_server.url}/api/schema/",
        "--header",
        f"Authorization: Token {key}",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        "20261129",
        "--checks",
        CHECKS,
        "--workers",
        "1",
        "--request-timeout",
        "30",
    ]
    try:
        result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    finally:
        _purge(queue)
        _purge(f"{queue}-import")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    tested = len(EXPECTED_OPERATIONS)
    assert f"{tested} operations" in result.stdout or f"Tested: {tested}" in result.stdout, result.stdout[
        -3000:
    ]


def _purge(queue: str) -> None:
    from reader.celery import app

    # The queue may never have been created (nothing saved): then there is nothing to purge.
    with app.connection_for_write() as connection, contextlib.suppress(Exception):
        connection.default_channel.queue_purge(queue)
