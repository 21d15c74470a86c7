"""A real SMTP server on loopback (aiosmtpd) for tests, scripted to accept, defer or refuse."""

import asyncio
import email
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller
from django.core.mail.backends.base import BaseEmailBackend


class ScriptedSMTP(BaseEmailBackend):
    """Answers each send with the next scripted reply: None accepts, an exception refuses."""

    script: list[Exception | None] = []
    accepted: list[Any] = []

    def send_messages(self, email_messages: Any) -> int:
        reply = ScriptedSMTP.script.pop(0) if ScriptedSMTP.script else None
        if reply is not None:
            raise reply
        ScriptedSMTP.accepted.extend(email_messages)
        return len(email_messages)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class FakeMailServer:
    """Accepts, defers (451) or refuses (550) each recipient as a test scripts it."""

    accepted: list[tuple[str, bytes]] = field(default_factory=list)
    defer_times: dict[str, int] = field(default_factory=dict)
    refuse: set[str] = field(default_factory=set)
    refuse_all_for: float = 0.0
    defer_all: bool = False
    hang_data_for: float = 0.0
    # Answers the end of a message's data with this reply, by one of its recipients.
    data_replies: dict[str, str] = field(default_factory=dict)
    # The client's address and port for each accepted email: one per SMTP connection.
    peers: list[tuple[str, int]] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ANN001, ANN201, N802
        if time.monotonic() < self.refuse_all_for:
            return "421 4.3.2 Service not available, try again later"
        if self.defer_all:
            return "451 4.3.0 Try again later"
        if address in self.refuse:
            return "550 5.1.1 Mailbox does not exist"
        if self.defer_times.get(address, 0) > 0:
            self.defer_times[address] -= 1
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        if self.hang_data_for:
            await asyncio.sleep(self.hang_data_for)
        for address in envelope.rcpt_tos:
            if address in self.data_replies:
                return self.data_replies[address]
        for address in envelope.rcpt_tos:
            self.accepted.append((address, envelope.content))
        self.peers.append(session.peer)
        return "250 Message accepted"

    def count_to(self, address: str) -> int:
        return sum(1 for to, _ in self.accepted if to == address)

    def copies_of(self, message_id: int) -> int:
        """Emails accepted for one outbox message (each names its row in a header)."""
        seen = set()
        for _, raw in self.accepted:
            parsed = email.message_from_bytes(raw)
            if parsed["X-Outbox-Message"] == str(message_id):
                seen.add(parsed["Message-ID"])
        return len(seen)


@contextmanager
def loopback_mail_server() -> Iterator[tuple[FakeMailServer, int]]:
    server = FakeMailServer()
    port = free_port()
    controller = Controller(server, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield server, port
    finally:
        controller.stop()
