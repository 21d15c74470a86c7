"""Minutes to addresses outside the secure domains go only as an AES-256 encrypted PDF.

Every message any test here sends passes through GuardedOutbox, which fails the test at
the moment a plain PDF is addressed outside the secure domains, or a password is in an email.
"""

import smtplib
from datetime import timedelta
from io import BytesIO
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from agencies.secure_email import is_secure_email
from minutes.models import Delivery, DeliveryStatus
from minutes.services.drafting import amendment_start, minutes_approve, minutes_draft
from minutes.services.lifecycle import chases_owe_due
from outbox.models import Message
from outbox.sending import messages_due, messages_send
from outbox.tasks import sweep
from strategy.models import Invitee
from tests.factories import ContactFactory, UserFactory
from tests.minutes.records import held_discussion

PASSWORD = "tide-lantern-harbour-42"
SURGERY_ADDRESS = "harbourlane.surgery@harbourlane-mail.example"
CONTACT_ADDRESS = "dr.quill@quillmail.example"
REFERENCE = "SD-2026-00077"


def pdf_attachments(message: Any) -> list[bytes]:
    return [
        content for _, content, mimetype in message.attachments if mimetype == "application/pdf"
    ]


def is_encrypted(pdf: bytes) -> bool:
    return PdfReader(BytesIO(pdf)).is_encrypted


class GuardedOutbox(EmailBackend):
    """The in-memory outbox, refusing outright what must never be sent."""

    sent: list[Any] = []

    def send_messages(self, messages: Any) -> int:
        for message in messages:
            outside = [a for a in message.recipients() if not is_secure_email(a)]
            for pdf in pdf_attachments(message):
                assert not outside or is_encrypted(pdf), f"plain PDF addressed to {outside}"
            assert PASSWORD not in message.subject and PASSWORD not in message.body
        GuardedOutbox.sent.extend(messages)
        return super().send_messages(messages)


class RefusingOutbox(GuardedOutbox):
    """Refuses the first message to each scripted address with that address's error,
    whichever mail session sends it first."""

    refusals: dict[str, Exception] = {}

    def send_messages(self, messages: Any) -> int:
        sent = 0
        for message in messages:
            for address in message.recipients():
                refusal = RefusingOutbox.refusals.pop(address, None)
                if refusal is not None:
                    raise refusal
            sent += super().send_messages([message])
        return sent


@pytest.fixture(autouse=True)
def _guarded(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.EMAIL_BACKEND = "tests.minutes.test_encryption.GuardedOutbox"
    GuardedOutbox.sent = []
    RefusingOutbox.refusals = {}
    yield
    # The property for the whole module, over every message the test sent.
    for message in GuardedOutbox.sent:
        for address in message.recipients():
            if not is_secure_email(address):
                assert all(is_encrypted(pdf) for pdf in pdf_attachments(message))


@pytest.fixture
def record():
    """Six agencies; Harbour Lane Surgery has no secure address, so it has a password."""
    record = held_discussion(agencies=6)
    surgery = record.agencies[5]
    surgery.secure_email = SURGERY_ADDRESS
    surgery.insecure_email_reason = "Practice without an NHSmail account; agreed with the ICB."
    surgery.minutes_pdf_password = PASSWORD
    surgery.pdf_password_shared_how = "Read to the practice manager by phone on 3 March."
    surgery.save()
    return record


def approve(record, capture):
    version = minutes_draft(discussion=record.discussion, user=record.chair)
    with capture(execute=True):
        return minutes_approve(version_id=version.pk, approved_by=record.chair)


def sent_to(address: str) -> list[Any]:
    return [m for m in mail.outbox if address in m.recipients()]


def opened(pdf: bytes, password: str) -> str:
    reader = PdfReader(BytesIO(pdf))
    assert reader.is_encrypted
    assert reader.decrypt(password)
    return "".join(page.extract_text() for page in reader.pages)


@pytest.mark.django_db
def test_an_agency_outside_the_secure_domains_gets_a_pdf_only_its_password_opens(
    record, django_capture_on_commit_callbacks
):
    approve(record, django_capture_on_commit_callbacks)
    [message] = sent_to(SURGERY_ADDRESS)
    assert message.to == [SURGERY_ADDRESS]
    [pdf] = pdf_attachments(message)
    encryption = PdfReader(BytesIO(pdf)).trailer["/Encrypt"]
    assert (encryption["/V"], encryption["/R"]) == (5, 6)  # AES-256
    assert not PdfReader(BytesIO(pdf)).decrypt("a-guess")
    assert REFERENCE in opened(pdf, PASSWORD)
    assert "The attachment is encrypted (AES-256)" in message.body
    assert "given to your agency separately, not by email" in message.body
    assert PASSWORD not in message.body
    assert Delivery.objects.get(agency=record.agencies[5]).status == DeliveryStatus.SENT


@pytest.mark.django_db
def test_a_secure_agency_gets_the_plain_pdf(record, django_capture_on_commit_callbacks):
    approve(record, django_capture_on_commit_callbacks)
    police = record.agencies[1]
    [message] = sent_to(police.secure_email)
    [pdf] = pdf_attachments(message)
    assert not is_encrypted(pdf)
    assert REFERENCE in "".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages)
    assert "encrypted" not in message.body
    assert len(mail.outbox) == 6


@pytest.mark.django_db
def test_a_named_contact_outside_the_secure_domains_gets_only_the_encrypted_copy(
    record, django_capture_on_commit_callbacks
):
    police = record.agencies[1]
    police.minutes_pdf_password = PASSWORD
    police.pdf_password_shared_how = "Read to the MASH sergeant by phone on 3 March."
    police.save()
    contact = ContactFactory.create(agency=police, email=CONTACT_ADDRESS)
    Invitee.objects.filter(agency=police).update(contact=contact)

    approve(record, django_capture_on_commit_callbacks)

    [plain] = sent_to(police.secure_email)
    [encrypted] = sent_to(CONTACT_ADDRESS)
    assert plain.to == [police.secure_email]  # the contact is not on the plain copy
    assert not is_encrypted(pdf_attachments(plain)[0])
    assert REFERENCE in opened(pdf_attachments(encrypted)[0], PASSWORD)
    delivery = Delivery.objects.get(agency=police)
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.recipients == [police.secure_email, CONTACT_ADDRESS]

    # Reminders to the contact carry no attachment at all.
    with time_machine.travel(delivery.sent_at + timedelta(hours=25), tick=False):
        chases_owe_due(timezone.now())
        messages_send(messages_due(timezone.now()))
    reminders = [m for m in sent_to(CONTACT_ADDRESS) if m is not encrypted]
    assert reminders and all(not m.attachments for m in reminders)


@pytest.mark.django_db
def test_without_a_password_nothing_goes_and_the_chair_sees_why(
    record, django_capture_on_commit_callbacks, client_for
):
    police = record.agencies[1]
    contact = ContactFactory.create(agency=police, email=CONTACT_ADDRESS)
    Invitee.objects.filter(agency=police).update(contact=contact)

    approve(record, django_capture_on_commit_callbacks)

    assert sent_to(CONTACT_ADDRESS) == []
    assert sent_to(police.secure_email) == []  # not half-sent: the delivery is one copy
    delivery = Delivery.objects.get(agency=police)
    assert delivery.status == DeliveryStatus.FAILED
    reason = (
        "No PDF password set up for Eastmere Constabulary: an administrator must set one "
        f"before minutes can go to {CONTACT_ADDRESS}"
    )
    assert delivery.last_error == reason
    assert len(mail.outbox) == 5  # everyone else got theirs
    page = client_for(record.chair).get(reverse("minutes:workspace", args=[record.discussion.pk]))
    assert reason in page.content.decode()
    assert PASSWORD not in page.content.decode()  # Harbour Lane's is set: still never shown
    tasks = client_for(record.chair).get(reverse("strategy:detail", args=[record.discussion.pk]))
    assert "The minutes could not be sent to 1 agency: the minutes page says why" in (
        tasks.content.decode()
    )


@pytest.mark.django_db
def test_the_chair_is_warned_before_approving_which_agencies_have_no_password(record, client_for):
    """Checked before approval: an address outside the secure domains with no password to
    encrypt its copy is named, with what will happen, rather than found out afterwards."""
    police = record.agencies[1]
    contact = ContactFactory.create(agency=police, email=CONTACT_ADDRESS)
    Invitee.objects.filter(agency=police).update(contact=contact)
    chair = client_for(record.chair)
    url = reverse("minutes:approve", args=[record.discussion.pk])

    page = chair.get(url).content.decode()
    warning = page.split('class="govuk-warning-text"')[1].split("</div>")[0]
    assert "Eastmere Constabulary has no password for encrypted PDFs" in warning
    assert "Harbour Lane Surgery" not in warning  # its password is set
    assert page.count("No PDF password") == 1  # beside the contact's address only

    police.minutes_pdf_password = PASSWORD
    police.pdf_password_shared_how = "Read to the safeguarding lead by phone."
    police.save()
    assert "govuk-warning-text" not in chair.get(url).content.decode()


@pytest.mark.django_db
def test_setting_the_password_in_the_admin_sends_the_minutes_that_waited(
    record, django_capture_on_commit_callbacks, client_for
):
    surgery = record.agencies[5]
    surgery.minutes_pdf_password = surgery.pdf_password_shared_how = ""
    surgery.save()
    approve(record, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(agency=surgery)
    assert delivery.status == DeliveryStatus.FAILED
    assert sent_to(SURGERY_ADDRESS) == []

    ada = UserFactory.create(username="ada", role="administrator", is_staff=True, is_superuser=True)
    admin = client_for(ada)
    url = reverse("admin:agencies_agency_change", args=[surgery.pk])
    fields = {k: v for k, v in model_to_dict(surgery).items() if v is not None}
    inline = {"contacts-TOTAL_FORMS": 0, "contacts-INITIAL_FORMS": 0}
    refused = admin.post(url, {**fields, **inline, "minutes_pdf_password": "short"})
    assert "Use at least 12 characters" in refused.content.decode()
    assert "Record how the password was given to the agency" in refused.content.decode()

    saved = admin.post(
        url,
        {
            **fields,
            **inline,
            "minutes_pdf_password": PASSWORD,
            "pdf_password_shared_how": "Read to the practice manager by phone on 3 March.",
        },
        follow=True,
    )
    assert "Minutes waiting for this password will now be sent" in saved.content.decode()
    surgery.refresh_from_db()
    assert surgery.pdf_password_set_at is not None
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error) == (DeliveryStatus.QUEUED, "")

    sweep()  # the next sweep sends it
    [message] = sent_to(SURGERY_ADDRESS)
    assert REFERENCE in opened(pdf_attachments(message)[0], PASSWORD)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert PASSWORD not in admin.get(reverse("admin:agencies_agency_changelist")).content.decode()


@pytest.mark.django_db
def test_a_delivery_counts_as_sent_only_when_both_copies_were_accepted(
    record, django_capture_on_commit_callbacks, settings
):
    police = record.agencies[1]
    police.minutes_pdf_password = PASSWORD
    police.pdf_password_shared_how = "Read to the MASH sergeant by phone on 3 March."
    police.save()
    contact = ContactFactory.create(agency=police, email=CONTACT_ADDRESS)
    Invitee.objects.filter(agency=police).update(contact=contact)
    settings.EMAIL_BACKEND = "tests.minutes.test_encryption.RefusingOutbox"
    RefusingOutbox.refusals = {
        CONTACT_ADDRESS: smtplib.SMTPResponseException(451, b"4.3.0 Try again later"),
        SURGERY_ADDRESS: smtplib.SMTPRecipientsRefused(
            {SURGERY_ADDRESS: (550, b"5.1.1 No such mailbox")}
        ),
    }

    approve(record, django_capture_on_commit_callbacks)

    delivery = Delivery.objects.get(agency=police)
    assert delivery.status == DeliveryStatus.QUEUED  # the plain copy went; it waits to retry
    assert "451" in delivery.last_error
    surgery = Delivery.objects.get(agency=record.agencies[5])
    assert surgery.status == DeliveryStatus.FAILED
    assert "550 5.1.1 No such mailbox" in surgery.last_error

    retry_at = Message.objects.get(delivery_id=delivery.pk).next_attempt_at
    assert retry_at is not None
    with time_machine.travel(retry_at + timedelta(seconds=1)):
        sweep()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert len(sent_to(CONTACT_ADDRESS)) == 1


@pytest.mark.django_db
def test_an_amendment_to_an_encrypted_only_address_keeps_its_reasons_in_the_pdf(
    record, django_capture_on_commit_callbacks
):
    approve(record, django_capture_on_commit_callbacks)
    version2 = amendment_start(
        discussion=record.discussion,
        user=record.chair,
        reason="Rowan's father was named wrongly",
        change_summary="Father's name corrected to Sam Testcase",
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        minutes_approve(version_id=version2.pk, approved_by=record.chair)

    [encrypted] = sent_to(SURGERY_ADDRESS)
    assert "This version replaces version 1" in encrypted.body
    assert "What changed, and why, is in the encrypted attachment" in encrypted.body
    assert "Rowan" not in encrypted.body and "Sam Testcase" not in encrypted.body
    [plain] = sent_to(record.agencies[1].secure_email)
    assert "What changed: Father's name corrected to Sam Testcase" in plain.body
    assert "Reason for the amendment: Rowan's father was named wrongly" in plain.body


@pytest.mark.django_db
def test_an_amendment_that_cannot_reach_an_agency_shows_on_the_task_list(
    record, django_capture_on_commit_callbacks, client_for
):
    """Version 1 reached everyone, so the section read "Completed"; version 2's copy to the
    surgery then fails (its password was withdrawn meanwhile): the task list says so."""
    approve(record, django_capture_on_commit_callbacks)
    tasks_url = reverse("strategy:detail", args=[record.discussion.pk])
    assert "Sent to every invited agency" in client_for(record.chair).get(tasks_url).text
    version2 = amendment_start(
        discussion=record.discussion,
        user=record.chair,
        reason="Fictional: a date was wrong",
        change_summary="The date of the medical",
    )
    surgery = record.agencies[5]
    surgery.minutes_pdf_password = ""
    surgery.save()
    with django_capture_on_commit_callbacks(execute=True):
        minutes_approve(version_id=version2.pk, approved_by=record.chair)

    page = client_for(record.chair).get(tasks_url).text
    assert "The minutes could not be sent to 1 agency: the minutes page says why" in page
    assert "Sent to every invited agency" not in page


@pytest.mark.django_db
def test_the_email_to_a_secure_address_summarises_decisions_and_the_agencys_own_actions(
    record, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from strategy.models import Action

    police = record.agencies[1]
    Action.objects.create(
        discussion=record.discussion,
        what="Check the address for previous call-outs",
        agency=police,
        person="DS Pat Officer",
        due_by=timezone.localdate(),
        why="History",
    )
    approve(record, django_capture_on_commit_callbacks)
    [message] = sent_to(police.secure_email)
    assert "Rowan Testcase: Section 47 enquiry, joint with police" in message.body
    assert f"Actions for {police.name}:" in message.body
    assert "- Check the address for previous call-outs (DS Pat Officer, by" in message.body
    assert "Rowan" not in message.subject
    hospital = record.agencies[2]
    [other] = sent_to(hospital.secure_email)
    assert f"No actions were agreed for {hospital.name}." in other.body


@pytest.mark.django_db
def test_the_email_with_the_encrypted_copy_names_no_one(record, django_capture_on_commit_callbacks):
    approve(record, django_capture_on_commit_callbacks)
    [message] = sent_to(SURGERY_ADDRESS)
    assert "Rowan" not in message.body
    assert "Testcase" not in message.message().as_string()
