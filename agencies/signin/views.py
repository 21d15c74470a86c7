"""Signing in (password, then a security code), setting up a second factor, and the person's
own account page. Everything that changes how someone signs in asks for their password and a
current code first."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from agencies.access import current_user
from agencies.signin import second_factor, sessions, steps, throttling
from agencies.signin.forms import (
    CodeForm,
    EmailForm,
    ReauthenticateForm,
    SetUpForm,
    SignInForm,
)
from agencies.signin.single_sign_on import provider_sign_out_url
from agencies.signin.single_sign_on_views import login_url_context


class SignInView(auth_views.LoginView):
    """The first step: username and password. Someone with a second factor goes on to give
    a code before they are signed in; someone who must have one and has none is signed in
    only as far as setting one up."""

    form_class = SignInForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        user = form.get_user()
        going_to = self.get_redirect_url()
        if second_factor.has_second_factor(user):
            steps.pending_start(self.request, user)
            return redirect(steps.with_next(reverse("signin:code"), going_to))
        auth_login(self.request, user)
        if user.requires_second_factor:
            return redirect(steps.with_next(reverse("signin:setup"), going_to))
        return HttpResponseRedirect(self.get_success_url())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), **login_url_context(self.request)}


class SignOutView(auth_views.LogoutView):
    """Signing out is a POST. The header's "Sign out" link submits it with JavaScript;
    without, the link opens this page with the button."""

    http_method_names = ["get", "post", "options"]
    template_name = "signin/sign_out.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect("login")
        return render(request, self.template_name)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Signed out here; then, for someone who came with their organisation's account, on
        to the provider to end its session, which sends them back to the sign-in page."""
        id_token = str(request.session.get("oidc_id_token", ""))
        response = super().post(request, *args, **kwargs)
        provider = provider_sign_out_url(id_token)
        return redirect(provider) if provider else response


def code(request: HttpRequest) -> HttpResponse:
    """The second step: a code from the authenticator app or a backup code."""
    going_to = steps.next_url(request)
    user = steps.pending_user(request)
    if user is None:
        if request.user.is_authenticated:
            return redirect(going_to or "home")
        if request.method == "POST":
            messages.error(request, "You took too long to enter the code. Sign in again.")
        return redirect_to_login(going_to or reverse("home"))
    if request.method == "POST" and throttling.is_locked_out(request, user.get_username()):
        return throttling.locked_out(request)
    form = CodeForm(request.POST or None, request=request, user=user)
    if request.method == "POST" and form.is_valid():
        device = form.device
        steps.pending_end(request)
        auth_login(request, user)  # a new session key, now that both factors are given
        otp_login(request, device)
        if isinstance(device, StaticDevice):
            left = second_factor.backup_codes_left(user)
            messages.success(
                request,
                f"You signed in with a backup code. You have {left} left"
                + (": get new ones from Your account." if left <= 3 else "."),
            )
        return redirect(going_to or "home")
    return render(request, "signin/code.html", {"form": form, "next": going_to})


@login_required
def set_up(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: the first one, or a replacement after confirming."""
    user = current_user(request)
    going_to = steps.next_url(request)
    replacing = second_factor.has_second_factor(user)
    if replacing and not user.is_verified():  # type: ignore[attr-defined]
        # A second factor was added elsewhere: it has to be used to sign in.
        auth_logout(request)
        return redirect_to_login(going_to or reverse("home"))
    if replacing and not steps.reauthenticated_recently(request):
        return redirect(steps.with_next(reverse("signin:reauthenticate"), request.get_full_path()))
    device = second_factor.authenticator_pending(user=user)
    form = SetUpForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        otp_login(request, device)
        steps.reauthentication_used(request)
        request.session[steps.NEW_BACKUP_CODES] = second_factor.backup_codes_issue(user=user)
        messages.success(request, "Your authenticator app is set up")
        return redirect(steps.with_next(reverse("signin:backup_codes"), going_to))
    return render(
        request,
        "signin/set_up.html",
        {
            "form": form,
            "next": going_to,
            "replacing": replacing,
            "secret": second_factor.secret_text(device),
            "config_url": device.config_url,
            "qr_code": second_factor.qr_code_svg(device),
        },
    )


@login_required
def backup_codes(request: HttpRequest) -> HttpResponse:
    """New backup codes, shown this once."""
    codes = request.session.pop(steps.NEW_BACKUP_CODES, None)
    if not codes:
        return redirect("signin:account")
    return render(
        request,
        "signin/backup_codes.html",
        {"codes": codes, "next": steps.next_url(request) or reverse("home")},
    )


@login_required
def backup_codes_renew(request: HttpRequest) -> HttpResponse:
    if not second_factor.has_second_factor(current_user(request)):
        return redirect("signin:setup")
    if not steps.reauthenticated_recently(request):
        return redirect(steps.with_next(reverse("signin:reauthenticate"), request.path))
    if request.method == "POST":
        user = current_user(request)
        request.session[steps.NEW_BACKUP_CODES] = second_factor.backup_codes_issue(user=user)
        steps.reauthentication_used(request)
        return redirect("signin:backup_codes")
    return render(request, "signin/backup_codes_renew.html")


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    return render(
        request,
        "signin/account.html",
        {
            "authenticator": second_factor.authenticator(user),
            "backup_codes_left": second_factor.backup_codes_left(user),
            "has_second_factor": second_factor.has_second_factor(user),
        },
    )


@login_required
def reauthenticate(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    going_to = steps.next_url(request) or reverse("signin:account")
    form = ReauthenticateForm(request.POST or None, request=request, user=user)
    if request.method == "POST" and form.is_valid():
        steps.reauthenticated(request)
        return redirect(going_to)
    return render(request, "signin/reauthenticate.html", {"form": form, "next": going_to})


@login_required
def email(request: HttpRequest) -> HttpResponse:
    if not steps.reauthenticated_recently(request):
        return redirect(steps.with_next(reverse("signin:reauthenticate"), request.path))
    user = current_user(request)
    form = EmailForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        form.save()
        steps.reauthentication_used(request)
        messages.success(request, "Your email address has been changed")
        return redirect("signin:account")
    return render(request, "signin/email.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def keep_alive(request: HttpRequest) -> HttpResponse:
    """For the timeout warning. GET: how long is left, without counting as activity (another
    tab may have been busy). POST, "Stay signed in": the idle clock starts again."""
    if request.method == "POST":
        sessions.touch(request, force=True)
        if "application/json" not in request.headers.get("Accept", ""):
            return redirect(steps.next_url(request) or "home")
    return JsonResponse({"seconds_left": sessions.seconds_left(request.session)})
