"""The SMTP sender against a real server that insists on TLS and a login (aiosmtpd on 127.0.0.1 with a
self-signed certificate made here): STARTTLS then AUTH LOGIN/PLAIN, or implicit TLS (`smtps://`); a wrong password
is a permanent failure, an untrusted certificate a temporary one (nothing is sent in the clear)."""

from __future__ import annotations

import ipaddress
import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import SecretStr

from identity import verification
from identity.models import OutboxEmail, User
from notifications import mailer
from notifications.catcher import MailboxHandler
from tests.conftest import free_port
from tests.identity.factories import make_user

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
LOGIN, PASSWORD = "harmoni", "s3cret-pass"


def _certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (its own CA); (cert, key) PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "smtp.pem", directory / "smtp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class TlsHandler(MailboxHandler):
    """Records, with each mail, whether its session was encrypted and who logged in."""

    def __init__(self) -> None:
        super().__init__()
        self.sessions: list[tuple[bool, bytes | None]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 -- aiosmtpd's hook
        login = session.auth_data.login if isinstance(session.auth_data, LoginPassword) else None
        self.sessions.append((server.transport.get_extra_info("ssl_object") is not None, login))
        return await super().handle_DATA(server, session, envelope)


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        LOGIN.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


@pytest.fixture(params=["starttls", "implicit"])
def tls_server(request, tmp_path):
    """(scheme and query, port, handler, CA file) of a server requiring TLS before AUTH, and AUTH before mail."""
    cert, key = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handler, port = TlsHandler(), free_port()
    common = {"auth_required": True, "authenticator": _authenticator}
    if request.param == "starttls":
        controller = Controller(handler, hostname="127.0.0.1", port=port, tls_context=context,
                                require_starttls=True, auth_require_tls=True, **common)
        url = f"smtp://{LOGIN}:{PASSWORD}@127.0.0.1:{port}?starttls=true"
    else:
        # The whole connection is TLS here, which aiosmtpd's STARTTLS-only check cannot see: AUTH is still required.
        controller = Controller(handler, hostname="127.0.0.1", port=port, ssl_context=context,
                                auth_require_tls=False, **common)
        url = f"smtps://{LOGIN}:{PASSWORD}@127.0.0.1:{port}"
    controller.start()
    yield url, handler, cert
    controller.stop()


def _queued(sessions, settings) -> OutboxEmail:
    user = make_user(sessions, settings, "fan")
    with sessions.begin() as session:
        return verification.send(session, settings, session.get(User, user.id))


def test_mail_goes_over_tls_with_a_login(sessions, settings, tls_server):
    url, handler, ca = tls_server
    settings = settings.model_copy(update={"smtp_url": SecretStr(url), "smtp_ca_file": str(ca)})
    email = _queued(sessions, settings)
    assert mailer.send_due(sessions, settings) == {"sent": 1}
    (message,) = handler.messages
    assert message["To"] == email.to_address and message["Subject"] == verification.SUBJECT
    assert handler.sessions == [(True, LOGIN.encode())]


def test_a_wrong_password_fails_for_good_and_an_untrusted_certificate_is_retried(sessions, settings, tls_server):
    url, handler, ca = tls_server
    wrong = settings.model_copy(update={"smtp_url": SecretStr(url.replace(PASSWORD, "wrong")),
                                        "smtp_ca_file": str(ca)})
    refused = _queued(sessions, wrong)
    assert mailer.send_due(sessions, wrong) == {"failed": 1}
    untrusted = settings.model_copy(update={"smtp_url": SecretStr(url)})  # the system's CAs: not ours
    unsent = _queued(sessions, untrusted)
    assert mailer.send_due(sessions, untrusted) == {"retry": 1}
    assert handler.messages == []
    with sessions() as session:
        assert session.get(OutboxEmail, refused.id).failed_at is not None
        row = session.get(OutboxEmail, unsent.id)
        assert row.sent_at is None and "CERTIFICATE_VERIFY_FAILED" in row.last_error
