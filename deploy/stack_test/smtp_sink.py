"""SMTP sink for the stack test: accepts every message and writes it to a directory (one file each)."""

import argparse
import signal
import threading
import uuid
from pathlib import Path

from aiosmtpd.controller import Controller


class SaveToDirectory:
    def __init__(self, directory: Path):
        self.directory = directory

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        (self.directory / f"{uuid.uuid4().hex}.eml").write_bytes(envelope.original_content or envelope.content)
        return "250 Message accepted"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", type=Path, required=True)
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    controller = Controller(SaveToDirectory(args.dir), hostname="127.0.0.1", port=args.port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
