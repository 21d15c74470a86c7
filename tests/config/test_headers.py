import re

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client, alice, client_for):
    for response in (client.get(reverse("login")), client_for(alice).get(reverse("home"))):
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"
    assert client_for(alice).get(reverse("home"))["Cache-Control"] == "no-store"


def test_no_template_has_inline_script_or_style():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    for template in root.rglob("*.html"):
        if template.name == "document.html":
            continue  # the PDF's own stylesheet, read by WeasyPrint and never served
        text = template.read_text()
        assert "<script>" not in text and "<script >" not in text, template
        assert " style=" not in text, template
        assert not re.search(r"\son[a-z]+=", text), template


def test_deploy_settings_are_secure():
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "s" * 60,
        "ALLOWED_HOSTS": "strategy.example.org",
    }
    code = (
        "import django,os;os.environ['DJANGO_SETTINGS_MODULE']='config.settings';"
        "django.setup();from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS >= 31536000)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert out.stdout.split() == ["True", "True", "True", "True"]


def test_headers_survive_a_database_outage():
    """Found by the load test: with the database down, reading the user again raised a second
    error and the 500 went out without the security headers."""
    from django.db import DatabaseError
    from django.http import HttpResponse
    from django.test import RequestFactory

    from config.middleware import SecurityHeadersMiddleware

    class UnreachableUser:
        @property
        def is_authenticated(self) -> bool:
            raise DatabaseError("could not connect to server")

    request = RequestFactory().get("/discussions/")
    request.user = UnreachableUser()  # type: ignore[assignment]
    response = SecurityHeadersMiddleware(lambda r: HttpResponse(status=500))(request)
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "no-store"
