from django.apps import AppConfig


class NewslettersConfig(AppConfig):
    """Newsletters by e-mail (issue 14 item 2): a private address per person, an SMTP receiver (aiosmtpd)
    and IMAP polling; each received message becomes an article through ``articles.services.saving``."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "newsletters"
    verbose_name = "Newsletters"
