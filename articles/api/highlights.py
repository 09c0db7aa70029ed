"""Highlights in Folio's REST API (issue 17 item 4): ``/api/highlights/`` (every highlight of the person,
filtered), ``/api/articles/{id}/highlights/`` (one article's: list, create) and ``/api/highlights/{id}/``
(retrieve, update, delete). Every call goes through ``services.highlights`` and is scoped by the
requesting person: another person's highlight or article answers 404, as a missing one does. The note on
an article is the ``note`` field of the article endpoints (``services.article_update``)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ..highlighting import MAX_QUOTE_LENGTH
from ..limits import HIGHLIGHT_NOTE_MAX_LENGTH, TAG_NAME_MAX_LENGTH
from ..models import Highlight
from ..search.query import MAX_QUERY_LENGTH
from ..services import highlights as highlight_services
from .serializers import StrictCharField, StrictInput


class HighlightOutput(serializers.Serializer):
    """A highlight: the passage, the person's note on it, its colour, where it sits (``anchor``: as the
    client gave it, e.g. Folio's reader's ``start``, ``prefix``, ``suffix``) and its article."""

    id = serializers.IntegerField()
    article = serializers.IntegerField(source="article_id")
    article_title = serializers.CharField(source="article.display_title")
    article_url = serializers.CharField(source="article.url")
    quote = serializers.CharField()
    note = serializers.CharField()
    color = serializers.ChoiceField(choices=Highlight.Color.choices)
    anchor = serializers.DictField()
    created_at = serializers.DateTimeField()


class HighlightCreateInput(StrictInput):
    """Body of ``POST /api/articles/{id}/highlights/``."""

    quote = StrictCharField(max_length=MAX_QUOTE_LENGTH, help_text="The passage (white space is collapsed).")
    note = StrictCharField(required=False, allow_blank=True, max_length=HIGHLIGHT_NOTE_MAX_LENGTH, default="")
    color = serializers.ChoiceField(
        choices=Highlight.Color.choices, required=False, default=Highlight.Color.YELLOW
    )
    anchor = serializers.DictField(
        required=False, help_text="Where the quote sits, as a JSON object (at most 10,000 bytes)."
    )


class HighlightUpdateInput(StrictInput):
    """Body of ``PATCH /api/highlights/{id}/``: only the fields sent are changed."""

    quote = StrictCharField(required=False, max_length=MAX_QUOTE_LENGTH)
    note = StrictCharField(required=False, allow_blank=True, max_length=HIGHLIGHT_NOTE_MAX_LENGTH)
    color = serializers.ChoiceField(choices=Highlight.Color.choices, required=False)
    anchor = serializers.DictField(required=False)


class HighlightListFilter(serializers.Serializer):
    """Query parameters of ``GET /api/highlights/``; they combine with AND."""

    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_QUERY_LENGTH,
        help_text='Words, "phrases", OR, -word, prefix*, tag:, site:, author:, is:, before:/after: over the '
        "quote, the note and the article's title (as typed, case-insensitive).",
    )
    tag = serializers.CharField(
        required=False, max_length=TAG_NAME_MAX_LENGTH, help_text="The article's tag."
    )
    color = serializers.ChoiceField(choices=Highlight.Color.choices, required=False)
    article = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    cursor = serializers.CharField(required=False, help_text="Opaque cursor from a next/previous link.")
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=200, help_text="Default 50.")


class HighlightPageOutput(serializers.Serializer):
    """One page of highlights, newest first: links to the neighbouring pages (null at either end)."""

    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = HighlightOutput(many=True)


class HighlightCursorPagination(CursorPagination):
    """Newest first; ``?cursor=`` from the ``next``/``previous`` links, ``?page_size=`` up to 200."""

    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _page(view: APIView, request: Request, **filters) -> Response:
    paginator = HighlightCursorPagination()
    highlights = highlight_services.highlight_list(user=request.user, **filters)
    page = paginator.paginate_queryset(highlights, request, view=view)
    return paginator.get_paginated_response(HighlightOutput(page, many=True).data)


class HighlightListApi(APIView):
    """``GET /api/highlights/``: every highlight of the person, newest first, filtered, cursor-paginated."""

    @extend_schema(
        parameters=[HighlightListFilter], responses=HighlightPageOutput, operation_id="highlights_list"
    )
    def get(self, request: Request) -> Response:
        params = HighlightListFilter(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        values = params.validated_data
        return _page(
            self,
            request,
            query=values.get("q", ""),
            tag=values.get("tag", ""),
            color=values.get("color", ""),
            article_id=values.get("article"),
        )


class ArticleHighlightsApi(APIView):
    """``GET /api/articles/{id}/highlights/``: the article's highlights, newest first. ``POST``: highlight
    a passage of it. 404 for an article that is not one of the person's."""

    @extend_schema(responses=HighlightPageOutput, operation_id="article_highlights_list")
    def get(self, request: Request, pk: int) -> Response:
        return _page(self, request, article_id=pk)

    @extend_schema(request=HighlightCreateInput, responses={201: HighlightOutput})
    def post(self, request: Request, pk: int) -> Response:
        data = HighlightCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        highlight = highlight_services.highlight_create(
            user=request.user,
            article_id=pk,
            quote=values["quote"],
            note=values.get("note", ""),
            anchor=values.get("anchor"),
            color=values.get("color"),
        )
        highlight = highlight_services.highlight_get(user=request.user, highlight_id=highlight.pk)
        return Response(HighlightOutput(highlight).data, status=status.HTTP_201_CREATED)


class HighlightDetailApi(APIView):
    """``GET``, ``PATCH`` and ``DELETE /api/highlights/{id}/`` on one of the person's highlights (404 for
    anyone else's)."""

    @extend_schema(responses=HighlightOutput)
    def get(self, request: Request, pk: int) -> Response:
        return Response(
            HighlightOutput(highlight_services.highlight_get(user=request.user, highlight_id=pk)).data
        )

    @extend_schema(request=HighlightUpdateInput, responses=HighlightOutput)
    def patch(self, request: Request, pk: int) -> Response:
        highlight_services.highlight_get(user=request.user, highlight_id=pk)
        data = HighlightUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        highlight_services.highlight_update(user=request.user, highlight_id=pk, **data.validated_data)
        return Response(
            HighlightOutput(highlight_services.highlight_get(user=request.user, highlight_id=pk)).data
        )

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        highlight_services.highlight_get(user=request.user, highlight_id=pk)
        highlight_services.highlight_delete(user=request.user, highlight_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
