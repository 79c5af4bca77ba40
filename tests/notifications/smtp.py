"""A real SMTP server for the tests (aiosmtpd on 127.0.0.1) that can refuse recipients, for good or for now."""

from __future__ import annotations

from notifications.catcher import MailboxHandler


class ScriptedHandler(MailboxHandler):
    def __init__(self) -> None:
        super().__init__()
        self.refuse: dict[str, str] = {}  # address -> SMTP reply, e.g. "550 5.1.1 no such user"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.lower() in self.refuse:
            return self.refuse[address.lower()]
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)
