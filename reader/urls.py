"""Top-level routes: admin, log in/out, the API and the articles app."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # wallabag v2 API (compat/wallabag): its exact paths, none with Folio's trailing slash, so no clash.
    path("", include("compat.wallabag.urls")),
    path("", include("compat.urls")),
    path("api/", include("articles.api.urls")),
    path("", include("articles.urls")),
]

handler404 = "articles.api.conventions.page_not_found"
