"""Signing people in for tests: a real authenticator app, and codes computed from its key."""

import time
from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "a-long-test-password"


def authenticator_for(user: Any) -> TOTPDevice:
    """The person's confirmed authenticator app, set up if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app")


def code_from(device: TOTPDevice) -> str:
    """What the app shows now, or the next code if this one was already used: a code is
    accepted once, and two sign-ins can fall in the same 30 seconds."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.drift += device.last_t - totp.t() + 1
    return f"{totp.token():0{device.digits}d}"


def sign_in_with_second_factor(client: Client, user: Any) -> Client:
    """client.force_login, and the session marked as having passed the second factor."""
    device = authenticator_for(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def verified_client(user: Any, **client_options: Any) -> Client:
    return sign_in_with_second_factor(Client(**client_options), user)
