"""REST API of tagging rules and webhooks (DRF, described by drf-spectacular), scoped per person: another
person's rule or endpoint is 404. Writes go through automation.services."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from articles.services.events import EVENTS

from . import queries
from .conditions import CONDITIONS
from .models import Rule, RuleRun, WebhookDelivery, WebhookEndpoint
from .services import rules, webhooks


class ConditionsField(serializers.DictField):
    """The conditions object (keys: automation.conditions.CONDITIONS)."""


class RuleSerializer(serializers.ModelSerializer):
    """A rule as the API shows and takes it."""

    conditions = ConditionsField(
        help_text="Object with any of: " + ", ".join(CONDITIONS) + " (see the README).",
        child=serializers.JSONField(),
    )
    add_tags = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, default=list
    )

    class Meta:
        model = Rule
        fields = (
            "id",
            "name",
            "position",
            "enabled",
            "match",
            "conditions",
            "add_tags",
            "archive",
            "favorite",
            "mark_read",
            "stop",
            "match_count",
            "last_matched_at",
            "created_at",
        )
        read_only_fields = ("id", "position", "match_count", "last_matched_at", "created_at")


def _fields(data: dict, rule: Rule | None = None) -> rules.RuleFields:
    base = {
        "name": rule.name if rule else "",
        "conditions": rule.conditions if rule else {},
        "match": rule.match if rule else Rule.Match.ALL,
        "add_tags": rule.add_tags if rule else [],
        "archive": rule.archive if rule else False,
        "favorite": rule.favorite if rule else False,
        "mark_read": rule.mark_read if rule else False,
        "stop": rule.stop if rule else False,
        "enabled": rule.enabled if rule else True,
    }
    base.update({k: v for k, v in data.items() if k in base})
    return rules.RuleFields(**base)


def _rule(request: Request, pk: int) -> Rule:
    rule = queries.rule_get(user=request.user, pk=pk)
    if rule is None:
        raise Http404
    return rule


class RuleListApi(APIView):
    """``GET /api/rules/`` (in the order they run) and ``POST`` a new rule (last in the order)."""

    @extend_schema(responses=RuleSerializer(many=True), operation_id="rules_list")
    def get(self, request: Request) -> Response:
        return Response(RuleSerializer(queries.rules_of(request.user), many=True).data)

    @extend_schema(request=RuleSerializer, responses={201: RuleSerializer})
    def post(self, request: Request) -> Response:
        data = RuleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            rule = rules.rule_create(user=request.user, fields=_fields(data.validated_data))
        except rules.RuleError as exc:
            raise exceptions.ValidationError(exc.message) from exc
        return Response(RuleSerializer(rule).data, status=status.HTTP_201_CREATED)


class RuleDetailApi(APIView):
    """``GET``, ``PATCH`` and ``DELETE /api/rules/{id}/``."""

    @extend_schema(responses=RuleSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(RuleSerializer(_rule(request, pk)).data)

    @extend_schema(request=RuleSerializer, responses=RuleSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        rule = _rule(request, pk)
        data = RuleSerializer(rule, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        try:
            rule = rules.rule_update(user=request.user, pk=pk, fields=_fields(data.validated_data, rule))
        except rules.RuleError as exc:
            raise exceptions.ValidationError(exc.message) from exc
        return Response(RuleSerializer(rule).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        rules.rule_delete(user=request.user, pk=_rule(request, pk).pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RuleOrderInput(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(), help_text="Rule ids in the order to run.")


class RuleOrderApi(APIView):
    """``POST /api/rules/order/`` with ``{"ids": [...]}``: the rules' new order (others follow)."""

    @extend_schema(request=RuleOrderInput, responses=RuleSerializer(many=True))
    def post(self, request: Request) -> Response:
        data = RuleOrderInput(data=request.data)
        data.is_valid(raise_exception=True)
        ordered = rules.rule_reorder(user=request.user, ids=data.validated_data["ids"])
        return Response(RuleSerializer(ordered, many=True).data)


class RulePreviewInput(serializers.Serializer):
    conditions = serializers.DictField(child=serializers.JSONField())
    match = serializers.ChoiceField(choices=Rule.Match.choices, default=Rule.Match.ALL)


class RulePreviewOutput(serializers.Serializer):
    count = serializers.IntegerField(help_text="Ready articles that meet the conditions now.")


class RulePreviewApi(APIView):
    """``POST /api/rules/preview/``: how many of the person's articles meet the conditions (nothing is
    changed)."""

    @extend_schema(request=RulePreviewInput, responses=RulePreviewOutput)
    def post(self, request: Request) -> Response:
        data = RulePreviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            count = rules.rule_preview_count(user=request.user, **data.validated_data)
        except rules.RuleError as exc:
            raise exceptions.ValidationError(exc.message) from exc
        return Response({"count": count})


class RuleRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = RuleRun
        fields = ("id", "rule", "status", "total", "done", "matched", "error", "created_at", "finished_at")


class RuleApplyInput(serializers.Serializer):
    rule = serializers.IntegerField(
        required=False, allow_null=True, help_text="One rule; absent: every enabled rule."
    )


class RuleApplyApi(APIView):
    """``POST /api/rules/apply/``: apply the rules to the whole library in the background (202 with the
    run; poll ``/api/rule-runs/{id}/``). A ``rule`` that is not the person's is 400."""

    @extend_schema(request=RuleApplyInput, responses={202: RuleRunSerializer})
    def post(self, request: Request) -> Response:
        data = RuleApplyInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            run = rules.rule_run_start(user=request.user, rule_id=data.validated_data.get("rule"))
        except Rule.DoesNotExist:
            raise exceptions.ValidationError({"rule": [_("No such rule.")]}) from None
        except rules.RuleError as exc:
            raise exceptions.ValidationError(exc.message) from exc
        return Response(RuleRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class RuleRunApi(APIView):
    """``GET /api/rule-runs/{id}/``: a library run's progress."""

    @extend_schema(responses=RuleRunSerializer)
    def get(self, request: Request, pk: int) -> Response:
        run = queries.rule_run_get(user=request.user, pk=pk)
        if run is None:
            raise Http404
        return Response(RuleRunSerializer(run).data)


class WebhookSerializer(serializers.ModelSerializer):
    """An endpoint; ``secret`` appears only in the answer that creates it."""

    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENTS))

    class Meta:
        model = WebhookEndpoint
        fields = (
            "id",
            "url",
            "description",
            "events",
            "enabled",
            "disabled_reason",
            "consecutive_failures",
            "created_at",
        )
        read_only_fields = ("id", "disabled_reason", "consecutive_failures", "created_at")


class WebhookCreatedSerializer(WebhookSerializer):
    class Meta(WebhookSerializer.Meta):
        fields = (*WebhookSerializer.Meta.fields, "secret")
        read_only_fields = (*WebhookSerializer.Meta.read_only_fields, "secret")


def _endpoint(request: Request, pk: int) -> WebhookEndpoint:
    endpoint = queries.webhook_get(user=request.user, pk=pk)
    if endpoint is None:
        raise Http404
    return endpoint


class WebhookListApi(APIView):
    """``GET /api/webhooks/`` and ``POST`` a new endpoint (the answer carries its ``secret``, once)."""

    @extend_schema(responses=WebhookSerializer(many=True), operation_id="webhooks_list")
    def get(self, request: Request) -> Response:
        return Response(WebhookSerializer(queries.webhooks_of(request.user), many=True).data)

    @extend_schema(request=WebhookSerializer, responses={201: WebhookCreatedSerializer})
    def post(self, request: Request) -> Response:
        data = WebhookSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            endpoint = webhooks.webhook_create(
                user=request.user,
                url=data.validated_data["url"],
                events=data.validated_data["events"],
                description=data.validated_data.get("description", ""),
            )
        except webhooks.WebhookError as exc:
            raise exceptions.ValidationError(exc.message) from exc
        return Response(WebhookCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)


class WebhookDetailApi(APIView):
    """``GET``, ``PATCH`` (``enabled: true`` re-enables a disabled endpoint) and ``DELETE
    /api/webhooks/{id}/``."""

    @extend_schema(responses=WebhookSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(WebhookSerializer(_endpoint(request, pk)).data)

    @extend_schema(request=WebhookSerializer, responses=WebhookSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        endpoint = _endpoint(request, pk)
        data = WebhookSerializer(endpoint, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        try:
            endpoint = webhooks.webhook_update(user=request.user, pk=pk, **data.validated_data)
        except webhooks.WebhookError as exc:
            raise exceptions.ValidationError(exc.message) from exc
        return Response(WebhookSerializer(endpoint).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        webhooks.webhook_delete(user=request.user, pk=_endpoint(request, pk).pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = (
            "id",
            "message_id",
            "event",
            "status",
            "attempts",
            "response_code",
            "error",
            "created_at",
            "last_attempt_at",
        )


class WebhookDeliveriesApi(APIView):
    """``GET /api/webhooks/{id}/deliveries/``: the delivery log, newest first."""

    @extend_schema(responses=DeliverySerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        return Response(DeliverySerializer(queries.deliveries_of(_endpoint(request, pk)), many=True).data)


class WebhookTestApi(APIView):
    """``POST /api/webhooks/{id}/test/``: queue a ``webhook.test`` message (202 with its delivery)."""

    @extend_schema(request=None, responses={202: DeliverySerializer})
    def post(self, request: Request, pk: int) -> Response:
        delivery = webhooks.webhook_send_test(user=request.user, pk=_endpoint(request, pk).pk)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
