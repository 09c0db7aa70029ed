"""API of the newsletters app (under ``/api/newsletters/``): the person's receiving address (show, rotate)
and their IMAP mailbox settings (show, set, delete). Same conventions as ``articles/api``: token or session
authentication, JSON errors, every row the requesting person's own. Each view calls the same service as the
settings page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from articles.api.serializers import (
    ErrorOutput,
    StrictBooleanField,
    StrictCharField,
    StrictInput,
    StrictIntegerField,
)

from . import services


class AddressOutput(serializers.Serializer):
    """The person's receiving address (``address`` null and ``enabled`` false when the server has no
    FOLIO_MAIL_DOMAIN)."""

    enabled = serializers.BooleanField(help_text="Whether this server receives newsletters by SMTP.")
    address = serializers.CharField(allow_null=True, help_text="<token>@<FOLIO_MAIL_DOMAIN>")
    created_at = serializers.DateTimeField(allow_null=True)
    rotated_at = serializers.DateTimeField(allow_null=True)


def _address(user) -> dict:
    if not services.mail_enabled():
        return {"enabled": False, "address": None, "created_at": None, "rotated_at": None}
    row = services.address_get_or_create(user=user)
    return {
        "enabled": True,
        "address": services.address_of(row),
        "created_at": row.created_at,
        "rotated_at": row.rotated_at,
    }


class AddressApi(APIView):
    """``GET /api/newsletters/address/``: the person's private address (made on first use)."""

    @extend_schema(responses=AddressOutput, operation_id="newsletters_address_retrieve")
    def get(self, request: Request) -> Response:
        return Response(AddressOutput(_address(request.user)).data)


class AddressRotateApi(APIView):
    """``POST /api/newsletters/address/rotate/``: a new address; the old one is refused from now on
    (409 when the server does not receive e-mail)."""

    @extend_schema(request=None, responses={200: AddressOutput, 409: ErrorOutput})
    def post(self, request: Request) -> Response:
        services.address_rotate(user=request.user)
        return Response(AddressOutput(_address(request.user)).data)


class MailboxOutput(serializers.Serializer):
    """The person's IMAP mailbox (the password is never shown)."""

    host = serializers.CharField()
    port = serializers.IntegerField()
    username = serializers.CharField()
    folder = serializers.CharField()
    mark_seen = serializers.BooleanField()
    enabled = serializers.BooleanField()
    last_polled_at = serializers.DateTimeField(allow_null=True)
    last_success_at = serializers.DateTimeField(allow_null=True)
    last_error = serializers.CharField(help_text="Why the last poll failed; empty when it worked.")


class MailboxInput(StrictInput):
    """Body of ``PUT /api/newsletters/mailbox/``. ``password`` may be left out to keep the stored one."""

    host = StrictCharField(max_length=253, help_text=_("The IMAP server, e.g. imap.example.com"))
    port = StrictIntegerField(min_value=1, max_value=65535, default=993, required=False)
    username = StrictCharField(max_length=320)
    password = StrictCharField(max_length=1000, required=False, allow_blank=True, write_only=True)
    folder = StrictCharField(max_length=200, default="INBOX", required=False)
    mark_seen = StrictBooleanField(default=True, required=False)
    enabled = StrictBooleanField(default=True, required=False)


class MailboxApi(APIView):
    """``GET /api/newsletters/mailbox/``: the person's IMAP settings (404 when none). ``PUT``: set them (the
    mailbox is polled over TLS every FOLIO_MAIL_IMAP_INTERVAL seconds). ``DELETE``: forget them."""

    @extend_schema(responses={200: MailboxOutput, 404: ErrorOutput})
    def get(self, request: Request) -> Response:
        row = services.mailbox_of(user=request.user)
        if row is None:
            raise NotFound(_("No mailbox is set."))
        return Response(MailboxOutput(row).data)

    @extend_schema(request=MailboxInput, responses={200: MailboxOutput, 400: ErrorOutput})
    def put(self, request: Request) -> Response:
        data = MailboxInput(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.mailbox_set(user=request.user, **data.validated_data)
        return Response(MailboxOutput(row).data)

    @extend_schema(responses={204: None, 404: ErrorOutput})
    def delete(self, request: Request) -> Response:
        if not services.mailbox_delete(user=request.user):
            raise NotFound(_("No mailbox is set."))
        return Response(status=status.HTTP_204_NO_CONTENT)
