"""Second factors: an authenticator app (TOTP) and single-use backup codes, on django-otp."""

import re
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django_otp import devices_for_user, user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.models import User

AUTHENTICATOR = "Authenticator app"
BACKUP_CODES = "Backup codes"


def normalise(code: str) -> str:
    """People type codes with spaces or dashes, and backup codes in capitals."""
    return re.sub(r"[\s-]+", "", code).lower()


def has_second_factor(user: User) -> bool:
    return user_has_device(user, confirmed=True)


def code_check(*, user: User, code: str) -> Device | None:
    """The device that accepts the code, if any. A backup code is used up."""
    code = normalise(code)
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(code):
                return device
    return None


def authenticator(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def authenticator_pending(*, user: User) -> TOTPDevice:
    """A new authenticator waiting for its first code. The same one comes back until it is
    confirmed, so reloading the page does not change the secret the person has scanned."""
    pending = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    return pending or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)


@transaction.atomic
def authenticator_confirm(*, device: TOTPDevice, code: str) -> bool:
    """The first code from the app proves it holds the secret; it then replaces any other."""
    if not device.verify_token(normalise(code)):
        return False
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


@transaction.atomic
def backup_codes_issue(*, user: User) -> list[str]:
    """A fresh set of backup codes; any earlier ones stop working."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_CODES, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.SIGNIN_BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def second_factor_remove(*, user: User) -> None:
    """For an administrator when someone has lost their phone: they set up a new one at their
    next sign-in."""
    for device in devices_for_user(user, confirmed=None):
        device.delete()


def secret_text(device: TOTPDevice) -> str:
    """The secret as people type it into an app: base32 in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> SafeString:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=14)
    svg = image.to_string(encoding="unicode")
    svg = svg.replace(
        "<svg ",
        format_html('<svg role="img" aria-label="{}" ', "QR code for your authenticator app"),
        1,
    )
    return mark_safe(svg)  # noqa: S308 - drawn by qrcode from our own otpauth: URI
