import email
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage

from config.mail import EmlFolderBackend, email_settings_from_url

ROOT = Path(__file__).resolve().parents[2]


def import_settings(*, run: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "EMAIL_URL", "VAR_DIR"}
    }
    return subprocess.run(
        [sys.executable, "-c", f"import config.settings as s\n{run}"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("secret", [None, ""])
def test_production_refuses_to_start_without_a_real_secret_key(secret):
    env = {"DEBUG": "false"}
    if secret is not None:
        env["SECRET_KEY"] = secret
    result = import_settings(**env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_starts_with_a_real_secret_key():
    result = import_settings(DEBUG="false", SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr


def test_debug_without_a_secret_key_makes_one_random_key_per_machine(tmp_path):
    first = import_settings(run="print(s.SECRET_KEY)", VAR_DIR=str(tmp_path / "one"))
    again = import_settings(run="print(s.SECRET_KEY)", VAR_DIR=str(tmp_path / "one"))
    elsewhere = import_settings(run="print(s.SECRET_KEY)", VAR_DIR=str(tmp_path / "two"))
    key = first.stdout.strip()
    assert len(key) >= 50
    assert again.stdout.strip() == key  # sessions and receipt links survive a restart
    assert elsewhere.stdout.strip() != key
    kept = tmp_path / "one" / "development-secret-key"
    assert kept.read_text().strip() == key
    assert kept.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("hosts", ["strategy.example.org", "localhost,10.1.2.3"])
def test_debug_is_refused_for_any_host_but_this_machine(hosts, tmp_path):
    result = import_settings(DEBUG="true", ALLOWED_HOSTS=hosts, VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "DEBUG=true is only for a developer's machine" in result.stderr


def test_debug_starts_for_this_machine(tmp_path):
    local = "localhost,127.0.0.1,[::1],::1,testserver"
    result = import_settings(DEBUG="true", ALLOWED_HOSTS=local, VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr


def test_production_refuses_mail_in_clear_unless_told_and_the_deploy_check_says_so(tmp_path):
    production = {"DEBUG": "false", "SECRET_KEY": "x" * 50, "VAR_DIR": str(tmp_path)}
    clear = import_settings(EMAIL_URL="smtp://mail.example.org:587", **production)
    assert clear.returncode != 0
    assert "EMAIL_URL would send mail without TLS" in clear.stderr
    for url in ("smtp://mail.example.org:587/?tls=true", "smtps://mail.example.org"):
        assert import_settings(EMAIL_URL=url, **production).returncode == 0, url

    told = {**production, "EMAIL_URL": "smtp://mail.example.org:25/?insecure=true"}
    check = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**os.environ, **told, "ALLOWED_HOSTS": "strategy.example.org"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode != 0
    assert "config.W001" in check.stderr
    assert "Email is sent without TLS" in check.stderr


def test_a_developer_may_use_a_local_mail_server_in_clear():
    local = email_settings_from_url("smtp://127.0.0.1:1025")
    assert local["EMAIL_USE_TLS"] is False
    assert local["EMAIL_USE_SSL"] is False


def test_email_url_for_starttls_and_implicit_tls():
    starttls = email_settings_from_url("smtp://mailer:s%40cret@smtp.example.org:587/?tls=true")
    assert starttls["EMAIL_HOST"] == "smtp.example.org"
    assert starttls["EMAIL_PORT"] == 587
    assert starttls["EMAIL_HOST_PASSWORD"] == "s@cret"
    assert starttls["EMAIL_USE_TLS"] is True
    assert starttls["EMAIL_USE_SSL"] is False
    implicit = email_settings_from_url("smtps://smtp.example.org")
    assert implicit["EMAIL_PORT"] == 465
    assert implicit["EMAIL_USE_SSL"] is True
    with pytest.raises(ImproperlyConfigured):
        email_settings_from_url("http://nope")


def test_no_email_url_writes_eml_files_a_mail_client_opens(settings, tmp_path):
    settings.EMAIL_FILE_PATH = str(tmp_path)
    message = EmailMessage("Strategy discussion SD-1", "Body", "a@x.example", ["b@nhs.net"])
    message.attach("minutes.pdf", b"%PDF-1.7 fictional", "application/pdf")
    assert EmlFolderBackend().send_messages([message]) == 1
    [eml] = list(tmp_path.glob("*.eml"))
    parsed = email.message_from_bytes(eml.read_bytes())
    assert parsed["Subject"] == "Strategy discussion SD-1"
    attachments = [part.get_filename() for part in parsed.walk() if part.get_filename()]
    assert attachments == ["minutes.pdf"]


def test_embedded_default_uses_sqlite_and_a_filesystem_broker():
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "EMAIL_URL"}
    }
    code = (
        "from django.conf import settings;"
        "print(settings.DATABASES['default']['ENGINE']);"
        "print(settings.CELERY_BROKER_URL);"
        "print(settings.EMAIL_BACKEND)"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django, os;"
            f"os.environ['DJANGO_SETTINGS_MODULE']='config.settings';django.setup();{code}",
        ],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "filesystem://",
        "config.mail.EmlFolderBackend",
    ]


def test_a_form_refused_by_csrf_explains_and_links_back_only_to_this_site(db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    page = client.post("/sign-in/", {"username": "x"}, HTTP_REFERER="http://testserver/sign-in/")
    assert page.status_code == 403
    assert "Your form could not be saved" in page.text
    assert 'href="http://testserver/sign-in/"' in page.text
    elsewhere = client.post("/sign-in/", {}, HTTP_REFERER="https://evil.example/")
    assert "evil.example" not in elsewhere.text
