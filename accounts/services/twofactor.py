"""Two-factor sign-in (issue 16 item 3) with django-otp: a TOTP device (RFC 6238, 30-second steps, the
codes of any authenticator app) and ten single-use recovery codes (django-otp's static device).

Turning it on is two steps: ``totp_begin`` makes an unconfirmed device (its secret shown as a QR code),
``totp_confirm`` checks a first code from the app and only then marks it confirmed and makes the recovery
codes. ``twofactor_verify`` checks a code at log-in: a TOTP code is accepted once (django-otp keeps the last
time step used, so a replayed code fails) and a recovery code is used up; each device throttles failures
(django-otp's ThrottlingMixin: the wait doubles with each failure).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from articles.errors import ArticleError

#: How many recovery codes a person gets (each works once).
RECOVERY_CODES = 10
TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def twofactor_enabled(user: AbstractBaseUser) -> bool:
    """True when ``user`` has a confirmed TOTP device (then password log-in asks for a code)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_begin(*, user: AbstractBaseUser) -> TOTPDevice:
    """A new unconfirmed TOTP device for ``user`` (replacing an earlier unconfirmed one). Its
    ``config_url`` (``otpauth://``) goes into the QR code. Raises ArticleError if two-factor is already on."""
    if twofactor_enabled(user):
        raise ArticleError(gettext("Two-factor sign-in is already on."))
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def _pending(user: AbstractBaseUser) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()


def totp_pending(*, user: AbstractBaseUser) -> TOTPDevice | None:
    """The device ``totp_begin`` made and not yet confirmed, or None."""
    return _pending(user)


@transaction.atomic
def totp_confirm(*, user: AbstractBaseUser, code: str) -> list[str]:
    """Turn two-factor on with the first ``code`` from the app: confirms the pending device and returns the
    new recovery codes (to show once). Raises ArticleError if there is no pending device or the code is
    wrong."""
    device = _pending(user)
    if device is None:
        raise ArticleError(gettext("Start again: no authenticator is waiting to be confirmed."))
    allowed, _data = device.verify_is_allowed()
    if not allowed or not device.verify_token(code.strip().replace(" ", "")):
        raise ArticleError(
            gettext("That code is not right. Check the time on your phone and try the next code.")
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return recovery_codes_regenerate(user=user)


@transaction.atomic
def recovery_codes_regenerate(*, user: AbstractBaseUser) -> list[str]:
    """Replace ``user``'s recovery codes with RECOVERY_CODES new ones (the old stop working) and return
    them. Raises ArticleError when two-factor is off."""
    if not twofactor_enabled(user):
        raise ArticleError(gettext("Two-factor sign-in is off."))
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def twofactor_disable(*, user: AbstractBaseUser) -> None:
    """Turn two-factor off: delete ``user``'s TOTP device and recovery codes."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


@transaction.atomic
def twofactor_verify(*, user: AbstractBaseUser, code: str) -> bool:
    """Check a log-in ``code``: a current TOTP code not used before, or an unused recovery code (used up
    now). Devices are locked for the check (``select_for_update``) so that one code cannot pass twice at
    once. False for anything else, also while a device is throttled after failures."""
    code = code.strip().replace(" ", "")
    if not code or len(code) > 32:
        return False
    for device in devices_for_user(user, confirmed=True, for_verify=True):
        allowed, _data = device.verify_is_allowed()
        if allowed and device.verify_token(code):
            return True
    return False
