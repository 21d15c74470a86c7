from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The form could not be accepted, usually because the session ended. The browser kept
    what was typed; going back to the form restores it."""
    back = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    return render(request, "csrf_failure.html", {"back": back}, status=403)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/accessibility.html")


def privacy_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/privacy.html")


def cookies(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/cookies.html")
