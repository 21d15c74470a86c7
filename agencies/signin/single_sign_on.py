"""Single sign-on for staff: their organisation's account (Microsoft Entra ID or any other
OpenID Connect provider), through mozilla-django-oidc. Off unless OIDC_ENABLED.

A sign-in only ever finds an existing active user by a verified email address; it never
creates one. What mozilla-django-oidc leaves loose is checked here: the id_token's audience,
issuer, expiry and algorithm, and that userinfo speaks of the same subject. The service's own
second factor is skipped only when the provider asserts multi-factor authentication and the
partnership allows it (OIDC_ALLOW_PROVIDER_MFA); see docs/single-sign-on.md."""

import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
import structlog
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import HttpRequest
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from agencies.models import User

BACKEND = "agencies.signin.single_sign_on.OrganisationAccountBackend"
# In the session of someone whose provider asserted multi-factor authentication, when the
# partnership accepts that in place of the service's own code.
PROVIDER_MFA = "signin.provider_mfa_at"

log = structlog.get_logger(__name__)

# Settings the provider's discovery document fills in when they are not set.
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_ISSUER": "issuer",
    "OIDC_OP_LOGOUT_ENDPOINT": "end_session_endpoint",
}
DISCOVERY_CACHE_SECONDS = 60 * 60
_discovered: dict[str, tuple[float, dict[str, Any]]] = {}


class Refusal:
    """Why a sign-in with an organisation's account was refused, as the trail records it."""

    NOT_LINKED = "not_linked"
    EMAIL_NOT_VERIFIED = "email_not_verified"
    TOKEN = "token_refused"
    PROVIDER = "provider_failed"


@dataclass
class Outcome:
    """What the backend learnt, for the callback view that answers the person."""

    claims: dict[str, Any] = field(default_factory=dict)
    refusal: str = ""

    @property
    def email(self) -> str:
        return str(self.claims.get("email") or "")


def outcome_of(request: HttpRequest) -> Outcome:
    outcome = getattr(request, "single_sign_on", None)
    if outcome is None:
        outcome = Outcome()
        request.single_sign_on = outcome  # type: ignore[attr-defined]
    return outcome


def discovery(url: str) -> dict[str, Any]:
    """The provider's /.well-known/openid-configuration, fetched at most hourly."""
    fetched = _discovered.get(url)
    if fetched is None or time.monotonic() - fetched[0] > DISCOVERY_CACHE_SECONDS:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        fetched = (time.monotonic(), response.json())
        _discovered[url] = fetched
    return fetched[1]


def setting(name: str, *default: Any) -> Any:
    """A setting for mozilla-django-oidc: an endpoint left empty comes from discovery."""
    value = getattr(settings, name, None)
    if value in ("", None) and name in DISCOVERED and settings.OIDC_OP_DISCOVERY:
        value = discovery(settings.OIDC_OP_DISCOVERY).get(DISCOVERED[name])
    if value in ("", None):
        if default:
            return default[0]
        raise ImproperlyConfigured(f"Single sign-on needs {name} (or OIDC_OP_DISCOVERY)")
    return value


def provider_sign_out_url(id_token: str) -> str | None:
    """Where someone who signed in with their organisation's account goes after signing out
    here, so that the provider ends its session too (OpenID Connect RP-initiated logout) and
    the next person at a shared computer cannot sign straight back in as them. None if they
    signed in with a password, or the provider has no end-session endpoint (or cannot say)."""
    if not settings.OIDC_ENABLED or not id_token:
        return None
    try:
        endpoint = setting("OIDC_OP_LOGOUT_ENDPOINT", "")
    except (requests.RequestException, ValueError) as error:
        log.warning("signin.provider_sign_out_unavailable", error=type(error).__name__)
        return None
    if not endpoint:
        return None
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": settings.OIDC_RP_CLIENT_ID,
            "post_logout_redirect_uri": settings.SITE_URL + reverse("login"),
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


def email_verified(claims: dict[str, Any]) -> bool:
    """The provider vouches for the address: `email_verified`, or Entra ID's optional
    `xms_edov` (the email's domain is verified by the tenant that owns it)."""
    return claims.get("email_verified") is True or claims.get("xms_edov") is True


def mfa_asserted(claims: dict[str, Any]) -> bool:
    """The provider says the person gave more than a password: an `amr` value such as "mfa",
    or an `acr` the partnership lists as multi-factor."""
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    if set(amr) & set(settings.OIDC_MFA_AMR_VALUES):
        return True
    return bool(claims.get("acr")) and claims.get("acr") in settings.OIDC_MFA_ACR_VALUES


def second_factor_done_by_provider(claims: dict[str, Any]) -> bool:
    return settings.OIDC_ALLOW_PROVIDER_MFA and mfa_asserted(claims)


class OrganisationAccountBackend(OIDCAuthenticationBackend):
    """Finds the user an organisation's account belongs to, or no one."""

    get_settings = staticmethod(setting)

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:  # type: ignore[override]
        # Only the callback, which passes the nonce; never a password sign-in.
        if request is None or not settings.OIDC_ENABLED or "nonce" not in kwargs:
            return None
        outcome = outcome_of(request)
        try:
            user = super().authenticate(request, **kwargs)
        except SuspiciousOperation as exc:
            log.warning("signin.single_sign_on.token_refused", reason=str(exc))
            outcome.refusal = outcome.refusal or Refusal.TOKEN
            return None
        except (requests.RequestException, ValueError, KeyError) as exc:
            log.warning("signin.single_sign_on.provider_failed", error=type(exc).__name__)
            outcome.refusal = outcome.refusal or Refusal.PROVIDER
            return None
        if user is None:
            outcome.refusal = outcome.refusal or Refusal.NOT_LINKED
        return user

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        try:
            return super().verify_token(token, **kwargs)
        except (jwt.PyJWTError, KeyError, TypeError) as exc:  # malformed before it is checked
            raise SuspiciousOperation(f"id_token refused: {exc}") from exc

    def get_payload_data(self, token: str, key: Any) -> dict[str, Any]:
        """The id_token's claims, once its signature, algorithm, audience, issuer and expiry
        are right. Unsigned tokens are never accepted, whatever the settings say."""
        algorithm = self.OIDC_RP_SIGN_ALGO
        if jwt.get_unverified_header(token).get("alg") != algorithm:
            raise SuspiciousOperation(f"id_token is not signed with {algorithm}")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=setting("OIDC_OP_ISSUER"),
                leeway=settings.OIDC_LEEWAY_SECONDS,
                options={"require": ["iss", "sub", "aud", "exp", "iat"]},
            )
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"id_token refused: {exc}") from exc
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("id_token is for another party (azp)")
        return claims

    def get_userinfo(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> dict[str, Any]:
        """Userinfo, overlaid with the signed id_token's claims (Entra ID's optional claims,
        amr and acr are only there)."""
        userinfo = super().get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") not in (None, payload["sub"]):
            outcome_of(self.request).refusal = Refusal.TOKEN
            raise SuspiciousOperation("userinfo is about another subject")
        claims = {**userinfo, **payload}
        outcome_of(self.request).claims = claims
        return claims

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        if not claims.get("email"):
            outcome_of(self.request).refusal = Refusal.NOT_LINKED
            return False
        if not email_verified(claims):
            outcome_of(self.request).refusal = Refusal.EMAIL_NOT_VERIFIED
            return False
        return True

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        return User.objects.filter(email__iexact=claims["email"], is_active=True)

    def create_user(self, claims: dict[str, Any]) -> User:
        """Never: an administrator adds people, with their role (OIDC_CREATE_USER is off)."""
        raise SuspiciousOperation("single sign-on never creates users")

    def get_user(self, user_id: Any) -> User | None:
        user = User.objects.filter(pk=user_id).first()
        return user if user is not None and user.is_active else None
