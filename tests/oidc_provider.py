"""A real OpenID Connect provider for the OIDC sign-in tests: django-oauth-toolkit's OIDC provider in its
own Django process (its own settings and SQLite database), serving the authorization code flow with PKCE,
RS256 ID tokens signed by a key made at start-up, a JWKS and a UserInfo endpoint, and a log-in page.

Run: ``python tests/oidc_provider.py <port> <redirect_uri> <client_id> <client_secret> <database_path>``.
People: ``alice`` (in the group ``folio-admins``) and ``bob``, both with the password ``provider-pass``.
Prints ``READY <issuer>`` once it serves. Claims: ``preferred_username``, ``email``, ``groups``.
"""

from __future__ import annotations

import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import django
from django.conf import settings

PASSWORD = "provider-pass"
LOGIN_TEMPLATE = """<!DOCTYPE html><html><head><title>Provider sign-in</title></head><body>
<h1>Example identity provider</h1>
<form method="post">{% csrf_token %}
<label for="id_username">User name</label><input id="id_username" name="username">
<label for="id_password">Password</label><input id="id_password" name="password" type="password">
<input type="hidden" name="next" value="{{ next }}"><button type="submit" id="provider-submit">Sign in</button>
</form></body></html>"""


def _private_key_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def configure(database: str) -> None:
    """Settings of the provider project (this module is also its URLconf)."""
    settings.configure(
        DEBUG=False,
        SECRET_KEY="provider-test-secret-key-not-for-production-0123456789",
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "oauth2_provider",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": database}},
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "OPTIONS": {
                    "loaders": [("django.template.loaders.locmem.Loader", {"login.html": LOGIN_TEMPLATE})],
                    "context_processors": ["django.template.context_processors.request"],
                },
            }
        ],
        LOGIN_URL="/accounts/login/",
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        OAUTH2_PROVIDER={
            "OIDC_ENABLED": True,
            "OIDC_RSA_PRIVATE_KEY": _private_key_pem(),
            "PKCE_REQUIRED": True,
            "SCOPES": {"openid": "OpenID Connect", "profile": "Profile", "email": "E-mail"},
            "OAUTH2_VALIDATOR_CLASS": f"{__name__}.ClaimsValidator",
        },
    )
    django.setup()


def _validator_class():
    from oauth2_provider.oauth2_validators import OAuth2Validator

    class ClaimsValidator(OAuth2Validator):
        """Adds the user name, e-mail and groups to the ID token and UserInfo, whatever the scopes."""

        oidc_claim_scope = None

        def get_additional_claims(self, request):
            user = request.user
            return {
                "preferred_username": user.username,
                "email": user.email,
                "groups": [group.name for group in user.groups.all()],
            }

    return ClaimsValidator


def __getattr__(name):  # the validator class is importable once Django is set up
    if name == "ClaimsValidator":
        return _validator_class()
    if name == "urlpatterns":
        from django.contrib.auth import views as auth_views
        from django.urls import include, path

        return [
            path("accounts/login/", auth_views.LoginView.as_view(template_name="login.html")),
            path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
        ]
    raise AttributeError(name)


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def main(port: int, redirect_uri: str, client_id: str, client_secret: str, database: str) -> None:
    configure(database)
    from django.contrib.auth.models import Group, User
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0, interactive=False)
    admins, _ = Group.objects.get_or_create(name="folio-admins")
    alice = User.objects.create_user("alice", "alice@example.org", PASSWORD)
    alice.groups.add(admins)
    User.objects.create_user("bob", "bob@example.org", PASSWORD)
    Application.objects.create(
        name="Folio",
        client_id=client_id,
        client_secret=client_secret,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=redirect_uri,
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    server = make_server("127.0.0.1", port, WSGIHandler(), server_class=_Server, handler_class=_QuietHandler)
    sys.stdout.write(f"READY http://127.0.0.1:{port}/o\n")
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
