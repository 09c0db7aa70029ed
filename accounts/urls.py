"""Routes of the accounts app (names ``accounts:<thing>``): the public share pages under ``/s/`` and the
person's account pages under ``/account/``."""

from django.urls import path, re_path

from .views import sharing

app_name = "accounts"

urlpatterns = [
    # Public, no log-in: a shared article and its kept images (the pattern matches imaging.LOCAL_PATH).
    path("s/<str:token>/", sharing.share_view, name="share"),
    re_path(
        r"^s/(?P<token>[A-Za-z0-9_-]{20,100})/images/(?P<digest>[0-9a-f]{64})\.(?P<ext>webp|jpg)$",
        sharing.share_image_view,
        name="share_image",
    ),
    path("account/shares/", sharing.shares_view, name="shares"),
    path("account/shares/new/", sharing.share_create_view, name="share_create"),
    path("account/shares/<int:pk>/revoke/", sharing.share_revoke_view, name="share_revoke"),
    path("account/shares/revoke-all/", sharing.share_revoke_all_view, name="share_revoke_all"),
]
