"""API of the accounts app (issue 16 item 6): share links, the person's account (read, change e-mail,
two-factor state, delete), and the administrators' people and invitations. Same conventions as
``articles/api``: token or session authentication, JSON errors, every query scoped to the requesting user;
administrator-only operations answer 404 to anyone else. Each view calls the same service as the pages."""

from __future__ import annotations

from django.contrib.auth import logout
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
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
from articles.errors import NotFoundError
from articles.services.account import account_delete

from . import queries
from .models import ShareLink
from .services import people, sharing, twofactor

# --- serializers -------------------------------------------------------------------------------------------


class ShareOutput(serializers.Serializer):
    """One share link. ``url`` (with the token) is only in the answer that created the link."""

    id = serializers.IntegerField()
    article = serializers.IntegerField(source="article_id")
    article_title = serializers.CharField(source="article.display_title")
    include_highlights = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    last_viewed_at = serializers.DateTimeField(allow_null=True)
    active = serializers.BooleanField(source="is_active")


class ShareCreatedOutput(ShareOutput):
    """The new link, with its public address (shown this once: Folio keeps only a hash of the token)."""

    url = serializers.CharField()


class ShareCreateInput(StrictInput):
    """Body of ``POST /api/shares/``."""

    article = StrictIntegerField(min_value=1, max_value=2**63 - 1)
    expires_in_days = StrictIntegerField(
        required=False, allow_null=True, min_value=1, max_value=sharing.MAX_EXPIRY_DAYS, default=None
    )
    include_highlights = StrictBooleanField(required=False, default=False)


class RevokedOutput(serializers.Serializer):
    """How many links a revoke-all stopped."""

    revoked = serializers.IntegerField()


class AccountOutput(serializers.Serializer):
    """The requesting person."""

    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.CharField()
    is_admin = serializers.BooleanField(source="is_staff")
    two_factor = serializers.BooleanField()
    has_password = serializers.BooleanField()


class AccountUpdateInput(StrictInput):
    """Body of ``PATCH /api/account/``."""

    email = StrictCharField(max_length=254)


class AccountDeleteInput(StrictInput):
    """Body of ``DELETE /api/account/``: the password (if the account has one) and ``confirm: "delete"``."""

    password = StrictCharField(required=False, default="", allow_blank=True, trim_whitespace=False)
    confirm = StrictCharField()


class PersonOutput(serializers.Serializer):
    """One account, for administrators."""

    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.CharField()
    is_admin = serializers.BooleanField(source="is_staff")
    is_active = serializers.BooleanField()
    article_count = serializers.IntegerField()
    image_bytes = serializers.IntegerField()
    last_login = serializers.DateTimeField(allow_null=True)


class PersonUpdateInput(StrictInput):
    """Body of ``PATCH /api/people/{id}/``."""

    is_active = StrictBooleanField()


class InvitationCreateInput(StrictInput):
    """Body of ``POST /api/invitations/``: optionally an address to e-mail the link to."""

    email = serializers.EmailField(required=False, default="", allow_blank=True)


class InvitationOutput(serializers.Serializer):
    """A new invitation: its link (shown this once) and when it stops working."""

    id = serializers.IntegerField()
    email = serializers.CharField()
    url = serializers.CharField()
    expires_at = serializers.DateTimeField()


# --- views -------------------------------------------------------------------------------------------------


def _shares(request: Request):
    """The person's links not revoked (a revoked link is gone from the API; the page still lists it)."""
    return queries.share_list(user=request.user).filter(revoked_at__isnull=True)


def _share(request: Request, pk: int) -> ShareLink:
    link = _shares(request).filter(pk=pk).first()
    if link is None:
        raise NotFound("No such link.")
    return link


class ShareListCreateApi(APIView):
    """``GET /api/shares/``: the person's links not revoked (also expired ones: ``active`` false), newest
    first. ``POST``: share one of their articles (404 for any other article)."""

    @extend_schema(responses=ShareOutput(many=True), operation_id="shares_list")
    def get(self, request: Request) -> Response:
        return Response(ShareOutput(_shares(request), many=True).data)

    @extend_schema(request=ShareCreateInput, responses={201: ShareCreatedOutput, 404: ErrorOutput})
    def post(self, request: Request) -> Response:
        data = ShareCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        link, token = sharing.share_create(
            user=request.user,
            article_id=data.validated_data["article"],
            expires_in_days=data.validated_data["expires_in_days"],
            include_highlights=data.validated_data["include_highlights"],
        )
        link.url = request.build_absolute_uri(reverse("accounts:share", kwargs={"token": token}))
        return Response(ShareCreatedOutput(link).data, status=status.HTTP_201_CREATED)


class ShareDetailApi(APIView):
    """``GET /api/shares/{id}/``; ``DELETE`` revokes the link: it stops working at once and is gone from the
    API (the owner's page still lists it as revoked)."""

    @extend_schema(responses=ShareOutput)
    def get(self, request: Request, pk: int) -> Response:
        return Response(ShareOutput(_share(request, pk)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        _share(request, pk)
        sharing.share_revoke(user=request.user, share_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ShareRevokeAllApi(APIView):
    """``POST /api/shares/revoke-all/``: every link of the person stops working."""

    @extend_schema(request=None, responses=RevokedOutput)
    def post(self, request: Request) -> Response:
        return Response({"revoked": sharing.share_revoke_all(user=request.user)})


def _account(user) -> dict:
    return {
        "id": user.pk,
        "username": user.get_username(),
        "email": user.email,
        "is_staff": user.is_staff,
        "two_factor": twofactor.twofactor_enabled(user),
        "has_password": user.has_usable_password(),
    }


class AccountApi(APIView):
    """``GET /api/account/``: the person. ``PATCH``: change the e-mail. ``DELETE``: delete the account and
    everything in it (``articles.services.account.account_delete``)."""

    @extend_schema(responses=AccountOutput)
    def get(self, request: Request) -> Response:
        return Response(AccountOutput(_account(request.user)).data)

    @extend_schema(request=AccountUpdateInput, responses=AccountOutput)
    def patch(self, request: Request) -> Response:
        data = AccountUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        people.email_change(user=request.user, email=data.validated_data["email"])
        return Response(AccountOutput(_account(request.user)).data)

    @extend_schema(request=AccountDeleteInput, responses={204: None})
    def delete(self, request: Request) -> Response:
        data = AccountDeleteInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = request.user
        if data.validated_data["confirm"] != "delete":
            raise ValidationError({"confirm": ['Send "delete" to confirm.']})
        if user.has_usable_password() and not user.check_password(data.validated_data["password"]):
            raise ValidationError({"password": ["That is not your password."]})
        if request.session is not None and request.user.is_authenticated and request.session.session_key:
            logout(request._request)
        account_delete(user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _admin_only(request: Request) -> None:
    if not request.user.is_staff:
        raise NotFound("No such page.")


class PeopleListApi(APIView):
    """``GET /api/people/`` (administrators): every account with article count and image bytes."""

    @extend_schema(responses={200: PersonOutput(many=True), 404: ErrorOutput}, operation_id="people_list")
    def get(self, request: Request) -> Response:
        _admin_only(request)
        return Response(PersonOutput(queries.people_list(), many=True).data)


class PersonDetailApi(APIView):
    """``PATCH /api/people/{id}/`` (administrators): ``{"is_active": false}`` deactivates, ``true``
    reactivates."""

    @extend_schema(request=PersonUpdateInput, responses=PersonOutput)
    def patch(self, request: Request, pk: int) -> Response:
        _admin_only(request)
        data = PersonUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        people.user_set_active(admin=request.user, user_id=pk, active=data.validated_data["is_active"])
        return Response(PersonOutput(queries.people_list().get(pk=pk)).data)


class InvitationCreateApi(APIView):
    """``POST /api/invitations/`` (administrators): a single-use invitation link (e-mailed when an address
    is given)."""

    @extend_schema(request=InvitationCreateInput, responses={201: InvitationOutput, 404: ErrorOutput})
    def post(self, request: Request) -> Response:
        _admin_only(request)
        data = InvitationCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        base = request.build_absolute_uri(reverse("accounts:invite", kwargs={"token": "x"}))[: -len("x/")]
        try:
            invitation, token = people.invitation_create(
                admin=request.user, email=data.validated_data["email"], link_base=base
            )
        except NotFoundError as exc:
            raise NotFound("No such page.") from exc
        body = {
            "id": invitation.pk,
            "email": invitation.email,
            "url": f"{base}{token}/",
            "expires_at": invitation.expires_at,
        }
        return Response(InvitationOutput(body).data, status=status.HTTP_201_CREATED)
