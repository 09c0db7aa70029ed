"""Authentication backend: Django's ModelBackend, loading the person's reader settings (and feed token,
for the page's feed link: compat/context_processors.py) in the same query as the user, so that every page
knows its theme and feed without an extra query."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class FolioModelBackend(ModelBackend):
    """ModelBackend whose ``get_user`` (run on each request from the session) joins ``reader_settings``."""

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("reader_settings", "feed_token").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
