"""The two steps of signing in with an organisation's account: off to the provider, and back.
Coming back, the person goes on exactly as after a correct password: to the security code
(or to setting one up), unless the provider asserted multi-factor authentication and the
partnership accepts that."""

import time
from typing import Any

import requests
from django.conf import settings
from django.contrib.auth import login as auth_login
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.generic import View
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from agencies.models import User
from agencies.signin import second_factor, steps
from agencies.signin.single_sign_on import (
    PROVIDER_MFA,
    Refusal,
    outcome_of,
    second_factor_done_by_provider,
    setting,
)
from audit.trail import audit_record

UNAVAILABLE = "signin/organisation_account_unavailable.html"
REFUSED = {
    Refusal.NOT_LINKED: "signin/organisation_account_not_linked.html",
    Refusal.EMAIL_NOT_VERIFIED: "signin/organisation_account_not_linked.html",
}


def enabled_or_404() -> None:
    if not settings.OIDC_ENABLED:
        raise Http404


def unavailable(request: HttpRequest) -> HttpResponse:
    return render(request, UNAVAILABLE, status=503)


class OrganisationAccountStart(OIDCAuthenticationRequestView):
    """Sends the person to their organisation's sign-in page."""

    get_settings = staticmethod(setting)

    def __init__(self, **kwargs: Any) -> None:
        # The endpoints may need the provider's discovery document: read them in get(), where
        # a provider that does not answer gets a page, not an error.
        View.__init__(self, **kwargs)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        enabled_or_404()
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            self.OIDC_OP_AUTH_ENDPOINT = setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
            self.OIDC_RP_CLIENT_ID = setting("OIDC_RP_CLIENT_ID")
        except (requests.RequestException, ValueError, ImproperlyConfigured):
            return unavailable(request)
        return super().get(request)


class OrganisationAccountCallback(OIDCAuthenticationCallbackView):
    """The provider sends the person back here with a code, exchanged for their id_token."""

    get_settings = staticmethod(setting)
    user: User

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        enabled_or_404()
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            return super().get(request)
        except SuspiciousOperation:  # a state this browser never started
            outcome_of(request).refusal = Refusal.TOKEN
            return self.login_failure()
        except (requests.RequestException, ImproperlyConfigured):
            return unavailable(request)

    def login_success(self) -> HttpResponse:
        request, user = self.request, self.user
        going_to = request.session.pop("oidc_login_next", None) or ""
        if second_factor_done_by_provider(outcome_of(request).claims):
            auth_login(request, user)
            request.session[PROVIDER_MFA] = int(time.time())
            return redirect(going_to or settings.LOGIN_REDIRECT_URL)
        # From here on, as after a correct password (SignInView.form_valid).
        if second_factor.has_second_factor(user):
            steps.pending_start(request, user)
            return redirect(steps.with_next(reverse("signin:code"), going_to))
        auth_login(request, user)
        if user.requires_second_factor:
            return redirect(steps.with_next(reverse("signin:setup"), going_to))
        return redirect(going_to or settings.LOGIN_REDIRECT_URL)

    def login_failure(self) -> HttpResponse:
        request = self.request
        outcome = outcome_of(request)
        refusal = outcome.refusal or Refusal.PROVIDER  # the person cancelled, or it erred
        audit_record(
            request,
            "signin.refused",
            detail={"via": "organisation account", "reason": refusal, "email": outcome.email[:254]},
        )
        return render(
            request,
            REFUSED.get(refusal, "signin/organisation_account_refused.html"),
            {"refusal": refusal},
            status=403,
        )


def login_url_context(request: HttpRequest) -> dict[str, str]:
    """For the sign-in page: where "Sign in with your organisation's account" goes."""
    if not settings.OIDC_ENABLED:
        return {}
    url = reverse("oidc_authentication_init")
    return {"organisation_account_url": steps.with_next(url, steps.next_url(request))}
