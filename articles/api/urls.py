"""API routes, the OpenAPI schema and its browsable docs."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import highlights, views

urlpatterns = [
    path("articles/", views.ArticleListCreateApi.as_view(), name="api-articles"),
    path("articles/<int:pk>/", views.ArticleDetailApi.as_view(), name="api-article"),
    path("articles/<int:pk>/refetch/", views.ArticleRefetchApi.as_view(), name="api-article-refetch"),
    path("tags/", views.TagListApi.as_view(), name="api-tags"),
    path("tags/<int:pk>/", views.TagDetailApi.as_view(), name="api-tag"),
    path("tags/<int:pk>/merge/", views.TagMergeApi.as_view(), name="api-tag-merge"),
    path("highlights/", highlights.HighlightListApi.as_view(), name="api-highlights"),
    path("highlights/<int:pk>/", highlights.HighlightDetailApi.as_view(), name="api-highlight"),
    path(
        "articles/<int:pk>/highlights/",
        highlights.ArticleHighlightsApi.as_view(),
        name="api-article-highlights",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
