"""The development SMTP catcher writes every mail it accepts under the data dir, where the README says."""

from __future__ import annotations

import smtplib
from email import message_from_bytes, policy
from email.message import EmailMessage

from notifications import catcher
from tests.conftest import free_port


def test_the_catcher_writes_each_mail_as_an_eml_file(tmp_path):
    port, mailbox = free_port(), tmp_path / "mailbox"
    controller = catcher.start(port, mailbox)
    try:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "a@example.com", "b@example.com", "Hello"
        message.set_content("body text")
        with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
            smtp.send_message(message)
    finally:
        controller.stop()
    (path,) = mailbox.glob("*.eml")
    caught = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert caught["Subject"] == "Hello" and caught.get_content().strip() == "body text"
