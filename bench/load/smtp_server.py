"""A loopback SMTP server for the load test (aiosmtpd), run as a process of its own.

    python bench/load/smtp_server.py --port 2525 --control CONTROL.json --log ACCEPTED.jsonl

It accepts every message and appends one JSON line per accepted message to --log:
{"t": epoch seconds, "to": [recipients], "subject": "..."}. While the control file holds
{"refuse_until": EPOCH} in the future it refuses every recipient for now, alternating
421 and 451 replies, as a mail server that is down for maintenance or over its limits would.
The control file is re-read at most every 0.2 s. SIGTERM or SIGINT stops it.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import json
import signal
import threading
import time
from pathlib import Path
from typing import Any


class Handler:
    def __init__(self, control: Path, log: Path) -> None:
        self.control = control
        self.log = log
        self.refuse_until = 0.0
        self.read_at = 0.0
        self.refusals = 0
        self.lock = threading.Lock()

    def refusing(self) -> bool:
        now = time.time()
        if now - self.read_at > 0.2:
            self.read_at = now
            try:
                self.refuse_until = float(
                    json.loads(self.control.read_text()).get("refuse_until", 0)
                )
            except (OSError, ValueError, AttributeError):
                self.refuse_until = 0.0
        return now < self.refuse_until

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if self.refusing():
            self.refusals += 1
            if self.refusals % 2:
                return "421 4.3.2 Service not available, try again later"
            return "451 4.3.0 Mailbox temporarily unavailable, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        raw = envelope.original_content or envelope.content
        subject = ""
        if isinstance(raw, bytes):
            headers = raw.split(b"\r\n\r\n", 1)[0]
            message = email.message_from_bytes(headers, policy=email.policy.default)
            subject = str(message.get("Subject", ""))
        line = json.dumps({"t": time.time(), "to": list(envelope.rcpt_tos), "subject": subject})
        with self.lock, self.log.open("a") as out:
            out.write(line + "\n")
        return "250 Message accepted"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--control", type=Path, required=True)
    parser.add_argument("--log", type=Path, required=True)
    args = parser.parse_args()
    from aiosmtpd.controller import Controller

    handler = Handler(args.control, args.log)
    controller = Controller(
        handler, hostname="127.0.0.1", port=args.port, server_hostname="load-test.invalid"
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    controller.start()
    print(f"smtp listening on 127.0.0.1:{args.port}", flush=True)
    try:
        stop.wait()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
