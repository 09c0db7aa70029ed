"""REST API views: each validates input, calls a service or query scoped to the requesting user, renders.

Authentication: a personal token (``Authorization: Token <key>``) or the browser session (DRF enforces the
CSRF token for session writes). Writes are rate-limited (conventions.WriteRateThrottle); every error has
the JSON shape of conventions.api_exception_handler.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import queries, search, services
from ..models import Article
from .conventions import ArticleCursorPagination
from .serializers import (
    ArticleCreateInput,
    ArticleListFilter,
    ArticleListItemOutput,
    ArticleListPageOutput,
    ArticleOutput,
    ArticleUpdateInput,
    TagMergeInput,
    TagOutput,
    TagUpdateInput,
)

#: Columns the list never loads (bodies and logs); read one article for them.
LIST_DEFERRED = ("content_html", "content_text", "extraction_log")


def _user_articles(request: Request):
    return Article.objects.filter(user=request.user, deleted_at__isnull=True).prefetch_related("tags")


def _get_article(request: Request, pk: int) -> Article:
    return get_object_or_404(_user_articles(request), pk=pk)


def _get_tag(request: Request, pk: int):
    return get_object_or_404(queries.tag_list_counted(user=request.user), pk=pk)


def article_list_queryset(request: Request, filters: dict) -> QuerySet[Article]:
    """The articles a list request selects: the user's library narrowed by the filters.

    This is the one place a search query plugs in: when a ``q`` filter exists, the base below becomes
    ``article_search(user=request.user, query=filters["q"])`` and the filters narrow its result.
    """
    base = queries.article_list(user=request.user).defer(None).defer(*LIST_DEFERRED)
    return queries.article_filter(base, **filters)


class ArticleListCreateApi(APIView):
    """``GET /api/articles/``: the user's articles, newest save first, filtered, cursor-paginated.
    ``POST /api/articles/``: save an article (answers at once; a worker fetches it)."""

    @extend_schema(
        parameters=[ArticleListFilter],
        responses=ArticleListPageOutput,
        operation_id="articles_list",
    )
    def get(self, request: Request) -> Response:
        params = ArticleListFilter(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        if params.validated_data.get("q", "").strip():
            return self._search(request, params.validated_data)
        paginator = ArticleCursorPagination()
        filters = {k: v for k, v in params.validated_data.items() if k in ArticleListFilter.FILTERS}
        page = paginator.paginate_queryset(article_list_queryset(request, filters), request, view=self)
        return paginator.get_paginated_response(ArticleListItemOutput(page, many=True).data)

    def _search(self, request: Request, params: dict) -> Response:
        """Ranked search: page-numbered (a rank order has no stable cursor); filters go in the query."""
        from rest_framework.exceptions import ValidationError

        if any(name in params for name in ArticleListFilter.FILTERS):
            raise ValidationError(
                {"q": ["With q, filter inside the query: is:archived, is:favorite, is:read, tag:NAME."]}
            )
        page = params.get("page", 1)
        found = search.article_search(user=request.user, query=params["q"], page=page)
        results = ArticleListItemOutput(found.results, many=True).data
        if not found.query.has_text:
            for item in results:
                item["headline"] = ""

        def link(number: int) -> str:
            query = request.query_params.copy()
            query["page"] = str(number)
            return request.build_absolute_uri(request.path + "?" + query.urlencode())

        return Response(
            {
                "next": link(page + 1) if found.has_next else None,
                "previous": link(page - 1) if page > 1 else None,
                "count": found.count,
                "count_capped": found.count_capped,
                "results": results,
            }
        )

    @extend_schema(request=ArticleCreateInput, responses={201: ArticleOutput, 200: ArticleOutput})
    def post(self, request: Request) -> Response:
        data = ArticleCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values.get("html"):
            article, created = services.article_save_page(
                user=request.user,
                url=values["url"],
                html=values["html"],
                title=values.get("title", ""),
                tags=values["tags"],
                origin=Article.Origin.API,
            )
        else:
            article, created = services.article_save_url(
                user=request.user, url=values["url"], tags=values["tags"], origin=Article.Origin.API
            )
        if not created or values.get("html"):
            # A found duplicate was read without its bodies, and a sent page changed the row after the save:
            # read the article back whole. A new article saved by address is already whole in memory, as
            # written (its tags are read by the serializer): two queries fewer per save (issue 20).
            article = _user_articles(request).get(pk=article.pk)
        return Response(
            ArticleOutput(article).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class ArticleDetailApi(APIView):
    """``GET``, ``PATCH`` and ``DELETE /api/articles/{id}/`` on one of the user's articles (404 for
    anyone else's)."""

    @extend_schema(responses=ArticleOutput)
    def get(self, request: Request, pk: int) -> Response:
        return Response(ArticleOutput(_get_article(request, pk)).data)

    @extend_schema(request=ArticleUpdateInput, responses=ArticleOutput)
    def patch(self, request: Request, pk: int) -> Response:
        article = _get_article(request, pk)
        data = ArticleUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.article_update(user=request.user, pk=article.pk, **data.validated_data)
        return Response(ArticleOutput(_get_article(request, pk)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.article_delete_bulk(user=request.user, ids=[_get_article(request, pk).pk])
        return Response(status=status.HTTP_204_NO_CONTENT)


class ArticleRefetchApi(APIView):
    """``POST /api/articles/{id}/refetch/``: fetch and extract the article again (answers 202 at once)."""

    @extend_schema(request=None, responses={202: ArticleOutput})
    def post(self, request: Request, pk: int) -> Response:
        article = _get_article(request, pk)
        services.article_retry(user=request.user, ids=[article.pk])
        return Response(ArticleOutput(_get_article(request, pk)).data, status=status.HTTP_202_ACCEPTED)


class TagListApi(APIView):
    """``GET /api/tags/``: the user's tags by name, with how many articles carry each."""

    @extend_schema(responses=TagOutput(many=True), operation_id="tags_list")
    def get(self, request: Request) -> Response:
        return Response(TagOutput(queries.tag_list_counted(user=request.user), many=True).data)


class TagDetailApi(APIView):
    """``GET``, ``PATCH`` (rename) and ``DELETE /api/tags/{id}/`` on one of the user's tags."""

    @extend_schema(responses=TagOutput)
    def get(self, request: Request, pk: int) -> Response:
        return Response(TagOutput(_get_tag(request, pk)).data)

    @extend_schema(request=TagUpdateInput, responses=TagOutput)
    def patch(self, request: Request, pk: int) -> Response:
        """Rename; onto a name another of the person's tags has, the two are merged and the answer (200)
        is the tag that received the articles (its ``id`` differs from the one in the address)."""
        tag = _get_tag(request, pk)
        data = TagUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.tag_rename(user=request.user, pk=tag.pk, name=data.validated_data["name"])
        return Response(TagOutput(_get_tag(request, result.pk)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.tag_delete(user=request.user, pk=_get_tag(request, pk).pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TagMergeApi(APIView):
    """``POST /api/tags/{id}/merge/`` with ``{"into": <tag id>}``: moves the tag's articles to the other
    tag and deletes this one. Answers with the receiving tag."""

    @extend_schema(request=TagMergeInput, responses=TagOutput)
    def post(self, request: Request, pk: int) -> Response:
        source = _get_tag(request, pk)
        data = TagMergeInput(data=request.data)
        data.is_valid(raise_exception=True)
        target = _get_tag(request, data.validated_data["into"])
        services.tag_merge(user=request.user, source_ids=[source.pk], target_id=target.pk)
        return Response(TagOutput(_get_tag(request, target.pk)).data)
