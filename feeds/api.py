"""Feeds in Folio's REST API (``/api/feeds/``): the same services as the pages, scoped to the requesting
person, token or session authentication as ``articles.api``; errors in its JSON shape."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from articles.api.conventions import ArticleCursorPagination
from articles.api.parsers import BoundedJSONParser
from articles.api.serializers import ArticleListItemOutput, ArticleListPageOutput

from . import queries, services
from .models import Feed


class FeedOutput(serializers.ModelSerializer):
    """A subscription: settings, and its state (``last_success_at``, ``last_error``, ``failures``,
    ``next_poll_at``; ``saved_count`` articles brought so far)."""

    saved_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Feed
        fields = [
            "id",
            "url",
            "site_url",
            "title",
            "kind",
            "tags",
            "interval",
            "archive_on_arrival",
            "match_query",
            "is_paused",
            "created_at",
            "next_poll_at",
            "last_polled_at",
            "last_success_at",
            "last_error",
            "failures",
            "saved_count",
        ]
        read_only_fields = fields


class FeedCreateInput(serializers.Serializer):
    """``url``: a feed's address or a page that links one; ``interval`` in minutes (at least
    FOLIO_FEED_MIN_INTERVAL); ``match_query`` in Folio's search syntax, on each entry's title and summary."""

    url = serializers.CharField(max_length=2048)
    title = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    tags = serializers.ListField(child=serializers.CharField(max_length=100), required=False, max_length=20)
    interval = serializers.IntegerField(required=False, min_value=1)
    archive_on_arrival = serializers.BooleanField(required=False, default=False)
    match_query = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class FeedUpdateInput(serializers.Serializer):
    """Any of a feed's settings; ``is_paused`` pauses or resumes it."""

    title = serializers.CharField(max_length=300, required=False)
    tags = serializers.ListField(child=serializers.CharField(max_length=100), required=False, max_length=20)
    interval = serializers.IntegerField(required=False, min_value=1)
    archive_on_arrival = serializers.BooleanField(required=False)
    match_query = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    is_paused = serializers.BooleanField(required=False)


def _feed(request: Request, pk: int) -> Feed:
    return get_object_or_404(queries.feed_list(user=request.user), pk=pk)


def _fail(exc: services.FeedError) -> ValidationError:
    return ValidationError({"detail": exc.message})


class FeedListCreateApi(APIView):
    """``GET /api/feeds/``: the person's feeds. ``POST /api/feeds/``: subscribe (the feed is fetched once
    to check it; its first poll is queued)."""

    @extend_schema(responses=FeedOutput(many=True), operation_id="feeds_list")
    def get(self, request: Request) -> Response:
        return Response(FeedOutput(queries.feed_list(user=request.user), many=True).data)

    @extend_schema(request=FeedCreateInput, responses={201: FeedOutput}, operation_id="feeds_create")
    def post(self, request: Request) -> Response:
        data = FeedCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            feed = services.feed_subscribe(user=request.user, **data.validated_data)
        except services.FeedError as exc:
            raise _fail(exc) from exc
        return Response(FeedOutput(_feed(request, feed.pk)).data, status=status.HTTP_201_CREATED)


class FeedDetailApi(APIView):
    """``GET``/``PATCH``/``DELETE /api/feeds/<id>/``; deleting unsubscribes and keeps the articles."""

    @extend_schema(responses=FeedOutput, operation_id="feeds_retrieve")
    def get(self, request: Request, pk: int) -> Response:
        return Response(FeedOutput(_feed(request, pk)).data)

    @extend_schema(request=FeedUpdateInput, responses=FeedOutput, operation_id="feeds_update")
    def patch(self, request: Request, pk: int) -> Response:
        feed = _feed(request, pk)
        data = FeedUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        paused = values.pop("is_paused", None)
        try:
            services.feed_update(feed, **values)
        except services.FeedError as exc:
            raise _fail(exc) from exc
        if paused is not None and paused != feed.is_paused:
            services.feed_set_paused(feed, paused)
        return Response(FeedOutput(_feed(request, pk)).data)

    @extend_schema(responses={204: None}, operation_id="feeds_destroy")
    def delete(self, request: Request, pk: int) -> Response:
        services.feed_delete(_feed(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class FeedPollApi(APIView):
    """``POST /api/feeds/<id>/poll/``: queue a poll now (202)."""

    @extend_schema(
        request=None,
        responses={202: inline_serializer("FeedPollOutput", {"queued": serializers.BooleanField()})},
        operation_id="feeds_poll",
    )
    def post(self, request: Request, pk: int) -> Response:
        return Response(
            {"queued": services.feed_poll_now(_feed(request, pk))}, status=status.HTTP_202_ACCEPTED
        )


class FeedArticlesApi(APIView):
    """``GET /api/feeds/<id>/articles/``: the live articles the feed brought, newest save first,
    cursor-paginated like ``/api/articles/``."""

    @extend_schema(responses=ArticleListPageOutput, operation_id="feeds_articles")
    def get(self, request: Request, pk: int) -> Response:
        feed = _feed(request, pk)
        paginator = ArticleCursorPagination()
        articles = queries.feed_articles(feed=feed).prefetch_related("tags")
        page = paginator.paginate_queryset(articles, request, view=self)
        return paginator.get_paginated_response(ArticleListItemOutput(page, many=True).data)


class OpmlApi(APIView):
    """``GET /api/feeds/opml/``: the subscriptions as OPML. ``POST`` (multipart, field ``file``): subscribe
    to every feed of an OPML file (entities refused: no billion laughs)."""

    parser_classes = [MultiPartParser, BoundedJSONParser]

    @extend_schema(
        responses={(200, "text/x-opml"): OpenApiResponse(OpenApiTypes.BINARY, description="OPML 2.0")},
        operation_id="feeds_opml_export",
    )
    def get(self, request: Request) -> HttpResponse:
        response = HttpResponse(
            services.opml_export(user=request.user), content_type="text/x-opml; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="folio-feeds.opml"'
        return response

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer("OpmlImportInput", {"file": serializers.FileField()})
        },
        responses={
            200: inline_serializer(
                "OpmlImportOutput",
                {
                    "added": serializers.IntegerField(),
                    "existing": serializers.IntegerField(),
                    "failures": serializers.ListField(child=serializers.DictField()),
                },
            )
        },
        operation_id="feeds_opml_import",
    )
    def post(self, request: Request) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": ["Send the OPML file in the field 'file'."]})
        try:
            result = services.opml_import(user=request.user, data=upload.read(services.opml_read_limit()))
        except services.OpmlError as exc:
            raise ValidationError({"detail": exc.reason}) from exc
        return Response(
            {
                "added": len(result.added),
                "existing": result.existing,
                "failures": [{"url": url, "reason": reason} for url, reason in result.failures],
            }
        )
