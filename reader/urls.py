"""Top-level routes: admin, log in/out, the API and the articles app."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/", include("articles.api.urls")),
    # --- accounts: share links (/s/), account pages (/account/) ---
    path("", include("accounts.urls")),
    path("", include("articles.urls")),
]

handler404 = "articles.api.conventions.page_not_found"
