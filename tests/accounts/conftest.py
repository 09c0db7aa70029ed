"""Accounts tests log in through real forms many times: a fast password hasher keeps that quick (Django's
testing docs, "Speeding up the tests"); the hashing itself is Django's and not under test here."""

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
