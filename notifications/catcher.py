"""A local SMTP catcher for development (`harmoni up` without HARMONI_SMTP_URL): an aiosmtpd server on
127.0.0.1 that accepts every mail and writes it as an `.eml` file under `<data dir>/mailbox/`."""

from __future__ import annotations

import time
import uuid
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller


class MailboxHandler:
    """Keeps every accepted mail in memory and, given a directory, as a file there."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory
        self.messages: list[EmailMessage] = []
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 -- aiosmtpd's hook
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 -- aiosmtpd's hook
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(message)
        if self.directory is not None:
            name = f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}.eml"
            (self.directory / name).write_bytes(envelope.content)
        return "250 Message accepted for delivery"


def start(port: int, directory: Path | None = None, handler: MailboxHandler | None = None) -> Controller:
    """Serve on 127.0.0.1:`port` in a thread of its own (stop with `.stop()`)."""
    controller = Controller(handler or MailboxHandler(directory), hostname="127.0.0.1", port=port)
    controller.start()
    return controller


def serve_forever(port: int, directory: Path) -> None:
    controller = start(port, directory)
    print(f"smtp catcher: smtp://127.0.0.1:{port}, mails written to {directory}", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()
