"""System checks of the accounts app: an OIDC set-up that would accept tokens it should not, or could not
work, is reported at start-up (``manage.py check``)."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security)
def oidc_settings_check(app_configs, **kwargs):
    """With ``OIDC_RP_CLIENT_ID`` set: the provider's endpoints must be set, and ``FOLIO_OIDC_ISSUER``
    too (without it an ID token's issuer is not checked)."""
    if not settings.OIDC_RP_CLIENT_ID:
        return []
    problems = []
    missing = [
        name
        for name in (
            "OIDC_RP_CLIENT_SECRET",
            "OIDC_OP_AUTHORIZATION_ENDPOINT",
            "OIDC_OP_TOKEN_ENDPOINT",
            "OIDC_OP_USER_ENDPOINT",
            "OIDC_OP_JWKS_ENDPOINT",
        )
        if not getattr(settings, name, None)
    ]
    if missing:
        problems.append(
            checks.Error(
                f"OIDC sign-in is on (OIDC_RP_CLIENT_ID) but {', '.join(missing)} is not set.",
                hint="Copy them from the provider's /.well-known/openid-configuration.",
                id="accounts.E001",
            )
        )
    if not settings.FOLIO_OIDC_ISSUER:
        problems.append(
            checks.Warning(
                "FOLIO_OIDC_ISSUER is not set: the issuer of ID tokens is not checked.",
                hint="Set it to the provider's issuer (the 'issuer' of its discovery document).",
                id="accounts.W001",
            )
        )
    if not settings.FOLIO_PASSWORD_LOGIN and missing:
        problems.append(
            checks.Error(
                "FOLIO_PASSWORD_LOGIN is false and OIDC is not fully configured: nobody could log in.",
                id="accounts.E002",
            )
        )
    return problems
