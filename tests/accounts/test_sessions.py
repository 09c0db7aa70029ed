"""A person sees where they are logged in and logs one session, or all others, out (issue 16 item 1);
other people's sessions are out of reach."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _ids(html: str) -> list[str]:
    return re.findall(r'<tr id="session-([0-9a-f]+)">', html)


def test_list_and_log_out_one_session_then_all_others(user, other_user):
    here, phone, tablet = _logged_in(user), _logged_in(user), _logged_in(user)
    theirs = _logged_in(other_user)
    html = here.get("/account/sessions/").content.decode()
    ids = _ids(html)
    assert len(ids) == 3 and "(this browser)" in html
    assert here.session.session_key not in html and phone.session.session_key not in html
    phone_page = phone.get("/account/sessions/").content.decode()
    phone_id = re.search(
        r'<tr id="session-([0-9a-f]+)">\s*<td><code>[0-9a-f]+</code> \(this browser\)', phone_page
    ).group(1)
    assert here.post("/account/sessions/", {"id": phone_id}).status_code == 302
    assert phone.get("/").status_code == 302 and tablet.get("/").status_code == 200
    # Someone else's session cannot be named.
    their_id = _ids(theirs.get("/account/sessions/").content.decode())[0]
    assert here.post("/account/sessions/", {"id": their_id}).status_code == 404
    here.post("/account/sessions/", {"all": "1"})
    assert tablet.get("/").status_code == 302
    assert here.get("/").status_code == 200 and theirs.get("/").status_code == 200


def test_settings_page_links_to_the_account_pages(client_logged_in):
    html = client_logged_in.get("/settings/").content.decode()
    assert "<title>Settings · Folio</title>" in html
    assert 'href="/account/"' in html and 'href="/account/shares/"' in html
    assert 'href="/account/people/"' not in html  # administrators only
