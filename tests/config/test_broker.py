"""The embedded default's broker: a consumer polling while others publish never reads a
half-written message, and a file it cannot read does not stop it."""

import threading
import time
from pathlib import Path

from kombu import Connection
from kombu.utils.json import dumps as json_dumps

from config.broker import Transport


def folders(root: Path) -> dict[str, object]:
    """Folders of its own for one test. kombu keeps queue bindings in a process-wide state,
    so each test also uses a queue name of its own."""
    for name in ("out", "processed", "control"):
        (root / name).mkdir()
    return {
        "data_folder_in": str(root / "out"),
        "data_folder_out": str(root / "out"),
        "processed_folder": str(root / "processed"),
        "control_folder": str(root / "control"),
        "store_processed": False,
    }


def test_the_filesystem_scheme_uses_the_whole_message_transport(tmp_path):
    with Connection("filesystem://", transport_options=folders(tmp_path)) as connection:
        assert isinstance(connection.transport, Transport)


def test_a_consumer_polling_during_publishing_gets_every_message(tmp_path, monkeypatch):
    """A publisher that is slow to encode (a loaded machine, a large message): kombu's own
    transport has made the message file by then, and a consumer reading it fails."""
    import kombu.transport.filesystem

    import config.broker

    def slow_dumps(payload: object) -> str:
        time.sleep(0.02)
        return json_dumps(payload)

    monkeypatch.setattr(kombu.transport.filesystem, "dumps", slow_dumps)
    monkeypatch.setattr(config.broker, "dumps", slow_dumps)
    options = folders(tmp_path)
    published = 100
    received: list[int] = []
    errors: list[BaseException] = []

    def publish() -> None:
        with Connection("filesystem://", transport_options=options) as connection:
            queue = connection.SimpleQueue("hints")
            for number in range(published):
                queue.put({"number": number})
            queue.close()

    with Connection("filesystem://", transport_options=options) as connection:
        queue = connection.SimpleQueue("hints")
        publisher = threading.Thread(target=publish)
        publisher.start()
        try:
            while len(received) < published:
                try:
                    message = queue.get(timeout=10)
                except queue.Empty:
                    break
                except Exception as exc:  # noqa: BLE001 - the failure under test
                    errors.append(exc)
                    break
                received.append(message.payload["number"])
                message.ack()
        finally:
            publisher.join()
            queue.close()
    assert errors == []
    assert sorted(received) == list(range(published))
    assert not list((tmp_path / "out").iterdir())


def test_an_unreadable_message_file_is_dropped_and_the_next_one_delivered(tmp_path):
    options = folders(tmp_path)
    with Connection("filesystem://", transport_options=options) as connection:
        queue = connection.SimpleQueue("alerts")
        # What kombu's own transport leaves for a moment: the file made, nothing written yet.
        # Named to sort before any real message (their names start with the monotonic clock
        # in ms, never 0), so the consumer meets it first.
        (tmp_path / "out" / "0_empty.alerts.msg").write_bytes(b"")
        queue.put({"number": 7})
        message = queue.get(timeout=5)
        assert message.payload == {"number": 7}
        message.ack()
        queue.close()
    assert not list((tmp_path / "out").iterdir())
