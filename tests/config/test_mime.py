"""config.mime makes the bytes Django would send, with each PDF encoded once per worker."""

import email
import email.policy
import random
import smtplib
import sys
from collections.abc import Iterator

import pytest
from django.core.mail import EmailMessage, EmailMultiAlternatives

from config import mime
from config.mail import SMTPBackend, dot_stuffed, email_settings_from_url
from tests.mail_server import FakeMailServer, loopback_mail_server

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 180  # fictional, binary, about 45 KiB
FIXED = {"Date": "Fri, 04 Dec 2026 09:00:00 -0000", "Message-ID": "<fixed@strategy.example>"}


def _messages() -> list[EmailMessage]:
    plain = EmailMessage(
        "SD-2026-0001: minutes", "Line one\nLine two\n", "a@x.example", ["b@nhs.net"]
    )
    minutes = EmailMessage(
        "SD-2026-0001: minutes, version 2",
        "Dear colleague,\n\nThe minutes are attached.\r\nA line with a carriage return\rend.",
        "a@x.example",
        ["minutes@nhs.net", "lead@nhs.net"],
        cc=["copy@eastmere.gov.uk"],
        reply_to=["chair@eastmere.gov.uk"],
    )
    minutes.attach("SD-2026-0001-minutes-v2.pdf", PDF, "application/pdf")
    unicode = EmailMessage(
        "Réunion — procès-verbal", "Données: café ✓", "a@x.example", ["c@nhs.net"]
    )
    unicode.attach("procès-verbal.pdf", PDF[:5000], "application/pdf")
    unicode.attach("invite.ics", "BEGIN:VCALENDAR\nEND:VCALENDAR\n", "text/calendar")
    html = EmailMultiAlternatives("SD-2026-0002", "Text", "a@x.example", ["d@nhs.net"])
    html.attach_alternative("<p>Text</p>", "text/html")
    html.attach("minutes.pdf", PDF, "application/pdf")
    for message in (plain, minutes, unicode, html):
        message.extra_headers.update(FIXED)
    return [plain, minutes, unicode, html]


@pytest.mark.parametrize("linesep", ["\r\n", "\n"])
def test_the_bytes_are_djangos_bytes(linesep):
    for message in _messages():
        mime.message_bytes(message)  # its PDF encoded already, as for every agency but the first
        random.seed(7)  # the same MIME boundaries for both
        theirs = message.message().as_bytes(linesep=linesep)  # type: ignore[call-arg]  # Django's MIME classes take it
        random.seed(7)
        ours = mime.message_bytes(message, linesep=linesep)
        assert ours == theirs, message.subject


def test_a_boundary_already_in_the_text_is_passed_over_as_the_standard_library_does():
    random.seed(11)
    token = random.randrange(sys.maxsize)
    drawn = "=" * 15 + f"{token:0{len(repr(sys.maxsize - 1))}d}" + "=="
    # The body holds the boundary the next draw makes, and its first alternative too.
    body = f"Quoted from an earlier email:\n--{drawn}\n--{drawn}.0--\nEnd.\n"
    message = EmailMessage("SD-2026-0001: minutes", body, "a@x.example", ["b@nhs.net"])
    message.attach("SD-2026-0001-minutes-v1.pdf", PDF, "application/pdf")
    message.extra_headers.update(FIXED)
    mime.message_bytes(message)  # its PDF encoded already (encoding it draws a Message-ID)
    random.seed(11)
    # With "\n" line ends, as the .eml folder writes them: the standard library's test of a
    # line ("^--boundary(--)?$") never matches a line that ends "\r\n".
    theirs = message.message().as_bytes(linesep="\n")  # type: ignore[call-arg]
    random.seed(11)
    ours = mime.message_bytes(message, linesep="\n")
    assert ours == theirs
    assert f'boundary="{drawn}.1"'.encode() in ours


def test_the_message_keeps_its_attachments_as_given():
    message = _messages()[1]
    mime.message_bytes(message)
    [(filename, content, mimetype)] = message.attachments
    assert (filename, content, mimetype) == ("SD-2026-0001-minutes-v2.pdf", PDF, "application/pdf")


def test_one_pdf_is_encoded_once_for_every_agency():
    mime._attachment_part.cache_clear()
    pdf = PDF + b"once"
    for n in range(20):
        message = EmailMessage("SD-2026-0003", "Body", "a@x.example", [f"agency.{n}@nhs.net"])
        message.attach("minutes.pdf", pdf, "application/pdf")
        parsed = email.message_from_bytes(mime.message_bytes(message), policy=email.policy.default)
        [attachment] = list(parsed.iter_attachments())  # type: ignore[attr-defined]
        assert attachment.get_content() == pdf
        assert parsed["To"] == f"agency.{n}@nhs.net"
    info = mime._attachment_part.cache_info()
    assert (info.misses, info.hits) == (1, 19)


@pytest.fixture
def mail_server() -> Iterator[tuple[FakeMailServer, int]]:
    with loopback_mail_server() as (server, port):
        yield server, port


def test_the_smtp_backend_sends_the_pdf_a_mail_client_opens(settings, mail_server):
    received, port = mail_server
    assert email_settings_from_url(f"smtp://127.0.0.1:{port}/")["EMAIL_BACKEND"] == (
        "config.mail.SMTPBackend"
    )
    backend = SMTPBackend(host="127.0.0.1", port=port, timeout=10)
    messages = _messages()
    assert backend.send_messages(messages) == 4
    assert [to for to, _ in received.accepted] == [
        "b@nhs.net",
        "minutes@nhs.net",
        "lead@nhs.net",
        "copy@eastmere.gov.uk",
        "c@nhs.net",
        "d@nhs.net",
    ]
    emails = [raw for _, raw in received.accepted]
    assert emails[1] == emails[2] == emails[3]  # one email to its three recipients
    assert len(set(emails)) == 4
    minutes = email.message_from_bytes(emails[1], policy=email.policy.default)
    assert minutes["Subject"] == "SD-2026-0001: minutes, version 2"
    [attachment] = list(minutes.iter_attachments())  # type: ignore[attr-defined]
    assert attachment.get_filename() == "SD-2026-0001-minutes-v2.pdf"
    assert attachment.get_content() == PDF
    unicode = email.message_from_bytes(emails[4], policy=email.policy.default)
    assert unicode["Subject"] == "Réunion — procès-verbal"
    names = [part.get_filename() for part in unicode.iter_attachments()]  # type: ignore[attr-defined]
    assert names == ["procès-verbal.pdf", "invite.ics"]


def test_a_lost_connection_still_reaches_the_sender(mail_server):
    received, port = mail_server
    backend = SMTPBackend(host="127.0.0.1", port=port, timeout=10)
    no_one = EmailMessage("SD-2026-0004", "Body", "a@x.example", [])
    assert backend.send_messages([no_one]) == 0  # nobody to send to: nothing sent
    backend.open()
    assert backend.connection is not None
    backend.connection.close()  # the server went away mid-session
    with pytest.raises(smtplib.SMTPServerDisconnected):
        backend._send(_messages()[0])
    assert received.accepted == []


def test_dot_stuffing_makes_smtplibs_bytes():
    cases = [b"", b".", b"..", b"\n.", b".\r\n.\r\n", b"a\r\n.b\r\n..c\r\n", b"\r.", b"abc"]
    draw = random.Random(5)
    for _ in range(5000):
        cases.append(bytes(draw.choice(b".\r\na") for _ in range(draw.randint(0, 12))))
    for data in cases:
        assert dot_stuffed(data) == smtplib._quote_periods(data), data


def test_lines_that_start_with_a_dot_arrive_as_written(mail_server):
    """A line of one dot ends the data unless it is stuffed; the server takes the dots off."""
    received, port = mail_server
    body = ".\nA line\n..two dots\n.\n.last\n"
    message = EmailMessage("SD-2026-0005", body, "a@x.example", ["e@nhs.net"])
    message.attach("minutes.pdf", PDF, "application/pdf")
    backend = SMTPBackend(host="127.0.0.1", port=port, timeout=10)
    assert backend.send_messages([message]) == 1
    [(_, raw)] = received.accepted
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    text, attachment = list(parsed.iter_parts())  # type: ignore[attr-defined]
    assert text.get_content().replace("\r\n", "\n") == body
    assert attachment.get_content() == PDF
