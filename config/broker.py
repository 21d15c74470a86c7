"""The embedded default's broker: kombu's filesystem transport, with messages written whole.

kombu's filesystem transport creates a message file in the queue folder and then writes to
it. A consumer that lists the folder in between moves the empty file away, fails to parse it
and the worker's consumer dies with ``JSONDecodeError`` (celery/kombu#1551, still open in
kombu 5.7). Beat running inside the worker publishes every minute while the consumer polls
every second, so on a busy machine it happens within minutes.

Here a message is written under a name the consumer ignores and renamed into place, which
POSIX makes atomic within one filesystem. A file that cannot be read as a message is logged
and dropped rather than stopping the worker: the broker only carries hints, and the outbox's
sweep re-sends what the database still owes (docs/outbox.md).
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

logger = logging.getLogger(__name__)

SCHEME = "filesystem"
WRITING_SUFFIX = ".writing"


class Channel(filesystem.Channel):
    # kombu's stubs name the argument "message" in the base channel and "payload" here.
    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:  # type: ignore[override]
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        # Same folder, so the rename cannot cross filesystems; the suffix keeps the
        # consumer's "<stamp>.<queue>.msg" match from seeing a half-written file.
        writing = final + WRITING_SUFFIX
        try:
            with open(writing, "wb") as handle:
                handle.write(str_to_bytes(dumps(payload)))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(writing, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {name!r} to the queue folder") from exc

    def _get(self, queue: str, timeout: float | None = None) -> Any:
        while True:
            try:
                return super()._get(queue)
            except json.JSONDecodeError:
                # Written by a process that is not this transport (or cut off by a full
                # disk): without this the consumer stops for good.
                logger.warning("broker.unreadable_message_dropped", extra={"queue": queue})


class Transport(filesystem.Transport):
    Channel = Channel


TRANSPORT_ALIASES[SCHEME] = f"{__name__}:Transport"
