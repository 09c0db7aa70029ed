"""People: invitations (an administrator's single-use, expiring link, optionally e-mailed), creating an
account (through an invitation, or open sign-up when ``FOLIO_OPEN_SIGNUP`` is on), changing one's e-mail,
and an administrator deactivating or reactivating someone.

An invitation's token is ``secrets.token_urlsafe(32)``, stored only as its SHA-256 digest. Using it is one
conditional UPDATE inside the transaction that creates the account, so two people racing with one link
cannot both get an account. "Administrator" means ``is_staff`` (the first user ``make run`` creates is a
superuser); everything an administrator does is refused to others with ``NotFoundError`` (404).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from articles.errors import ArticleError, NotFoundError
from articles.tokens import token_digest

from ..models import Invitation


def _require_admin(user: AbstractBaseUser) -> None:
    if not (user.is_active and getattr(user, "is_staff", False)):
        raise NotFoundError(gettext("No such page."))


def invitation_create(
    *, admin: AbstractBaseUser, email: str = "", link_base: str = "", days: int | None = None
) -> tuple[Invitation, str]:
    """Invite someone: a link valid for ``days`` days (default ``FOLIO_INVITATION_DAYS``), usable once.
    With ``email`` (and ``link_base``, the absolute URL prefix of ``/account/invite/``), the link is also
    sent through Django's mail settings (``EMAIL_URL``; the console by default). Returns
    ``(invitation, token)``; the token is not stored.

    Raises NotFoundError if ``admin`` is not an administrator, ArticleError if the mail cannot be sent
    (the invitation is then not kept).
    """
    _require_admin(admin)
    days = settings.FOLIO_INVITATION_DAYS if days is None else days
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            created_by=admin,
            email=email.strip(),
            digest=token_digest(token),
            expires_at=timezone.now() + timedelta(days=days),
        )
        if invitation.email and link_base:
            try:
                send_mail(
                    # In the inviting administrator's language: the invited person's is not known yet.
                    subject=gettext("You are invited to Folio"),
                    message=ngettext(
                        "%(name)s invites you to their Folio, a place to save and read articles.\n\n"
                        "Create your account here (the link works once, for %(days)d day):\n%(link)s\n",
                        "%(name)s invites you to their Folio, a place to save and read articles.\n\n"
                        "Create your account here (the link works once, for %(days)d days):\n%(link)s\n",
                        days,
                    )
                    % {"name": admin.get_username(), "days": days, "link": f"{link_base}{token}/"},
                    from_email=None,
                    recipient_list=[invitation.email],
                )
            except OSError as exc:
                raise ArticleError(
                    gettext("The invitation could not be e-mailed: %(error)s") % {"error": exc}
                ) from exc
    return invitation, token


def invitation_revoke(*, admin: AbstractBaseUser, invitation_id: int) -> bool:
    """Revoke an unused invitation so its link stops working. False if there is no such unused one."""
    _require_admin(admin)
    return bool(
        Invitation.objects.filter(pk=invitation_id, used_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


def account_create(
    *, username: str, email: str, password: str, invitation_token: str | None = None
) -> AbstractBaseUser:
    """Create an account (an ordinary person, not an administrator) with a checked password
    (``AUTH_PASSWORD_VALIDATORS``). With ``invitation_token``, the invitation is used up in the same
    transaction; without it, only when ``FOLIO_OPEN_SIGNUP`` is on.

    Raises NotFoundError when sign-up is closed and there is no token; ArticleError for a used, revoked or
    expired invitation, a taken user name or a weak password (the message says which).
    """
    if invitation_token is None and not settings.FOLIO_OPEN_SIGNUP:
        raise NotFoundError(gettext("Sign-up is closed."))
    user_model = get_user_model()
    username = user_model.normalize_username(username.strip())
    candidate = user_model(username=username, email=email.strip())
    try:
        password_validation.validate_password(password, candidate)
    except ValidationError as exc:
        raise ArticleError(" ".join(exc.messages)) from exc
    try:
        with transaction.atomic():
            if invitation_token is not None:
                invitation = Invitation.objects.filter(
                    digest=token_digest(invitation_token),
                    used_at__isnull=True,
                    revoked_at__isnull=True,
                    expires_at__gt=timezone.now(),
                )
                if not invitation.update(used_at=timezone.now()):
                    raise ArticleError(
                        gettext("This invitation link was already used, was revoked or has expired.")
                    )
            if user_model.objects.filter(username__iexact=username).exists():
                raise ArticleError(gettext("That user name is taken; choose another."))
            user = user_model.objects.create_user(username=username, email=email.strip(), password=password)
            if invitation_token is not None:
                Invitation.objects.filter(digest=token_digest(invitation_token)).update(used_by=user)
    except IntegrityError as exc:
        raise ArticleError(gettext("That user name is taken; choose another.")) from exc
    return user


def invitation_usable(token: str) -> bool:
    """True while the invitation ``token`` can still create an account."""
    return Invitation.objects.filter(
        digest=token_digest(token),
        used_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).exists()


def email_change(*, user: AbstractBaseUser, email: str) -> None:
    """Set ``user``'s e-mail address (used for password resets). Raises ArticleError for an invalid one."""
    from django.core.validators import validate_email

    email = email.strip()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ArticleError(gettext("That is not an e-mail address.")) from exc
    get_user_model().objects.filter(pk=user.pk).update(email=email)
    user.email = email


def user_set_active(*, admin: AbstractBaseUser, user_id: int, active: bool) -> AbstractBaseUser:
    """Deactivate (``active=False``: their sessions, API tokens and share links stop working at once, their
    library is kept) or reactivate a person. An administrator cannot deactivate themself.

    Raises NotFoundError if ``admin`` is not an administrator or there is no such person, ArticleError for
    oneself.
    """
    _require_admin(admin)
    if user_id == admin.pk and not active:
        raise ArticleError(gettext("You cannot deactivate your own account."))
    person = get_user_model().objects.filter(pk=user_id).first()
    if person is None:
        raise NotFoundError(gettext("No such person."))
    person.is_active = bool(active)
    person.save(update_fields=["is_active"])
    return person


def oidc_user_sync(
    *, user: AbstractBaseUser | None, username: str, email: str, is_admin: bool | None
) -> AbstractBaseUser | None:
    """Create (``user`` None: only when ``FOLIO_OIDC_CREATE_USERS``; no usable password) or update a person
    signing in through OIDC: the e-mail when the provider gives one, and the administrator flags
    (``is_staff`` and ``is_superuser``) when ``is_admin`` is not None (a group claim is configured).
    Returns the person, or None when creating is off. An inactive person stays inactive (the sign-in is then
    refused by the backend)."""
    user_model = get_user_model()
    if user is None:
        if not settings.FOLIO_OIDC_CREATE_USERS:
            return None
        user = user_model(username=user_model.normalize_username(username), email=email)
        user.set_unusable_password()
        if is_admin is not None:
            user.is_staff = user.is_superuser = is_admin
        user.save()
        return user
    fields = []
    if email and email != user.email:
        user.email = email
        fields.append("email")
    if is_admin is not None and (user.is_staff != is_admin or user.is_superuser != is_admin):
        user.is_staff = user.is_superuser = is_admin
        fields += ["is_staff", "is_superuser"]
    if fields:
        user.save(update_fields=fields)
    return user


def proxy_user_get_or_create(*, username: str) -> AbstractBaseUser | None:
    """The person an authenticating proxy names: found by user name, or created (no usable password) when
    ``FOLIO_AUTH_PROXY_CREATE_USERS`` is on; None otherwise."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is not None or not settings.FOLIO_AUTH_PROXY_CREATE_USERS:
        return user
    try:
        with transaction.atomic():
            user = user_model(username=user_model.normalize_username(username))
            user.set_unusable_password()
            user.save()
    except IntegrityError:  # created by a request a moment ago
        user = user_model.objects.filter(username=username).first()
    return user
