"""Routes of the accounts app (names ``accounts:<thing>``): the public share pages under ``/s/`` and the
person's account pages under ``/account/``."""

from django.urls import path, re_path

from .views import account, login, people, sharing, twofactor

app_name = "accounts"

urlpatterns = [
    # Public, no log-in: a shared article and its kept images (the pattern matches imaging.LOCAL_PATH).
    path("s/<str:token>/", sharing.share_view, name="share"),
    re_path(
        r"^s/(?P<token>[A-Za-z0-9_-]{20,100})/images/(?P<digest>[0-9a-f]{64})\.(?P<ext>webp|jpg)$",
        sharing.share_image_view,
        name="share_image",
    ),
    path("login/code/", login.login_code_view, name="login_code"),
    path("account/", account.account_view, name="account"),
    path("account/two-factor/", twofactor.twofactor_view, name="twofactor"),
    path("account/two-factor/qr.png", twofactor.twofactor_qr_view, name="twofactor_qr"),
    path("account/two-factor/begin/", twofactor.twofactor_begin_view, name="twofactor_begin"),
    path("account/two-factor/confirm/", twofactor.twofactor_confirm_view, name="twofactor_confirm"),
    path("account/two-factor/recovery-codes/", twofactor.recovery_codes_view, name="recovery_codes"),
    path("account/two-factor/off/", twofactor.twofactor_disable_view, name="twofactor_disable"),
    path("account/email/", account.email_change_view, name="email"),
    path("account/sessions/", account.sessions_view, name="sessions"),
    path("account/delete/", account.account_delete_view, name="delete"),
    path("account/signup/", account.signup_view, name="signup"),
    path("account/invite/<str:token>/", account.invite_accept_view, name="invite"),
    path("account/people/", people.people_view, name="people"),
    path("account/people/<int:pk>/active/", people.person_active_view, name="person_active"),
    path("account/invitations/new/", people.invitation_create_view, name="invitation_create"),
    path("account/invitations/<int:pk>/revoke/", people.invitation_revoke_view, name="invitation_revoke"),
    path("account/shares/", sharing.shares_view, name="shares"),
    path("account/shares/new/", sharing.share_create_view, name="share_create"),
    path("account/shares/<int:pk>/revoke/", sharing.share_revoke_view, name="share_revoke"),
    path("account/shares/revoke-all/", sharing.share_revoke_all_view, name="share_revoke_all"),
]
