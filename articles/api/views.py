"""REST API views: each validates input, calls a service or query scoped to the requesting user, renders."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import search, services
from ..errors import ArticleError
from ..models import Article
from .serializers import ArticleCreateInput, ArticleOutput


def _user_articles(request: Request):
    return Article.objects.filter(user=request.user, deleted_at__isnull=True).prefetch_related("tags")


class ArticleListCreateApi(APIView):
    """``GET /api/articles/?q=QUERY``: search (or list) the articles. ``POST``: save an article."""

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="Search query (Folio's search language)"),
                    OpenApiParameter("page", int)],
        responses={200: dict},
    )
    def get(self, request: Request) -> Response:
        try:
            page = max(1, int(request.query_params.get("page", 1)))
        except ValueError:
            page = 1
        query = request.query_params.get("q", "")
        return Response(search.article_search_api(user=request.user, query=query, page=page))

    @extend_schema(request=ArticleCreateInput, responses={201: ArticleOutput, 200: ArticleOutput})
    def post(self, request: Request) -> Response:
        data = ArticleCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            if values.get("html"):
                article, created = services.article_save_page(
                    user=request.user, url=values["url"], html=values["html"],
                    title=values.get("title", ""), tags=values["tags"],
                )
            else:
                article, created = services.article_save_url(
                    user=request.user, url=values["url"], tags=values["tags"]
                )
        except ArticleError as exc:
            return Response({"error": "invalid", "detail": exc.message}, status=status.HTTP_400_BAD_REQUEST)
        article = _user_articles(request).get(pk=article.pk)
        return Response(
            ArticleOutput(article).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class ArticleDetailApi(APIView):
    """``GET /api/articles/{id}/``: one of the requesting user's articles (404 for anyone else's)."""

    @extend_schema(responses=ArticleOutput)
    def get(self, request: Request, pk: int) -> Response:
        article = get_object_or_404(_user_articles(request), pk=pk)
        return Response(ArticleOutput(article).data)
