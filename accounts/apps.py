"""AppConfig of the accounts app."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Accounts, sign-in and share links (issue 16)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        """Register the system checks (accounts/checks.py)."""
        from . import checks  # noqa: F401
