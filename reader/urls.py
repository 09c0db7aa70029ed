"""Top-level routes: admin, log in/out, the API and the articles app."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import oidc
from accounts.views.login import FolioLoginView

urlpatterns = [
    # One log-in for the site and the admin (throttled, with the two-factor step): accounts.views.login.
    path("admin/login/", FolioLoginView.as_view(), name="admin-login"),
    path("admin/", admin.site.urls),
    path("login/", FolioLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # wallabag v2 API (compat/wallabag): its exact paths, none with Folio's trailing slash, so no clash.
    path("", include("compat.wallabag.urls")),
    path("", include("compat.urls")),
    path("api/", include("articles.api.urls")),
    # --- accounts: share links (/s/), account pages (/account/), Django's password views ---
    path("", include("accounts.urls")),
    path("api/", include("accounts.api_urls")),
    path("oidc/authenticate/", oidc.oidc_authenticate_view, name="oidc_authentication_init"),
    path("oidc/callback/", oidc.oidc_callback_view, name="oidc_authentication_callback"),
    path("account/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("account/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("account/password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "account/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"
    ),
    path(
        "account/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "account/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("", include("articles.reading_urls")),  # --- highlights: note, /highlights/, /stats/ ---
    path("", include("newsletters.urls")),  # newsletters by e-mail: settings actions, /api/newsletters/
    path("", include("feeds.urls")),
    path(
        "", include("automation.urls")
    ),  # tagging rules and webhooks: /automation/, /api/rules/, /api/webhooks/
    path("", include("articles.urls")),
]

handler404 = "articles.api.conventions.page_not_found"
handler500 = "articles.api.conventions.server_error"
