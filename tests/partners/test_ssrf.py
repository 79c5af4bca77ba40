"""The SSRF guard: IPv6 forms that embed IPv4 addresses, DNS rebinding (we connect to the address we checked,
and no second DNS answer), TLS to a pinned address, and what a partner sees of private answers."""

from __future__ import annotations

import datetime as dt
import json
import logging
import socket
import ssl
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import select

from api.app import create_app
from harmoni.settings import get_settings
from partners import delivery, tasks
from partners.errors import WebhookUrlRefused
from partners.models import WebhookDeliveryAttempt
from partners.webhooks import check_url, is_public_address, resolve_target, warn_when_unrestricted
from tests.partners.factories import add_block, add_event, endpoint, registered

EMBEDDING_PRIVATE = [
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "64:ff9b:1::a9fe:a9fe",  # local-use NAT64 of 169.254.169.254
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::7f00:1",  # IPv4-compatible
    "::a00:1",
]


class Rebinding:
    """A resolver whose answers change from one call to the next (the first answer, then the others)."""

    def __init__(self, *answers: str) -> None:
        self.answers, self.calls = list(answers), 0

    def __call__(self, host, port, type=0, **_):
        answer = self.answers[min(self.calls, len(self.answers) - 1)]
        self.calls += 1
        family = socket.AF_INET6 if ":" in answer else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (answer, port))]


def test_ipv6_forms_that_embed_a_private_ipv4_address_are_refused():
    for address in EMBEDDING_PRIVATE:
        assert not is_public_address(address), address
        with pytest.raises(WebhookUrlRefused):
            check_url(f"https://[{address}]/hook", public_only=True)
        with pytest.raises(WebhookUrlRefused):
            check_url("https://hooks.example/hook", public_only=True, resolver=Rebinding(address))
    # NAT64 and 6to4 of public IPv4 addresses are public, as is plain global IPv6.
    for address in ("64:ff9b::808:808", "2002:808:808::1", "2606:4700:4700::1111", "8.8.8.8"):
        assert is_public_address(address), address


def test_every_answer_must_be_public_and_the_first_checked_one_is_pinned():
    with pytest.raises(WebhookUrlRefused):  # a public and a private answer: refused, not raced
        resolve_target("https://hooks.example/x", public_only=True,
                       resolver=lambda host, port, type=0: [(socket.AF_INET, type, 6, "", ("8.8.8.8", port)),
                                                            (socket.AF_INET, type, 6, "", ("127.0.0.1", port))])
    resolver = Rebinding("8.8.8.8", "127.0.0.1")
    target = resolve_target("https://hooks.example/x", public_only=True, resolver=resolver)
    assert (target.address, target.host, target.port, target.public) == ("8.8.8.8", "hooks.example", 443, True)
    assert resolver.calls == 1


def _claim(url: str) -> delivery.Claim:
    return delivery.Claim(delivery_id=uuid.uuid4(), attempt=1, lease_until=dt.datetime.now(dt.UTC), url=url,
                          signing_secret="whsec_" + "0" * 48, event_id="evt_1", body='{"id":"evt_1"}')


@contextmanager
def _server(tls: ssl.SSLContext | None = None) -> Iterator[dict]:
    seen: dict = {"hosts": [], "sni": []}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            seen["hosts"].append(self.headers["Host"])
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if tls is not None:
        tls.sni_callback = lambda sock, name, ctx: seen["sni"].append(name)
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    seen["port"] = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield seen
    finally:
        server.shutdown()
        server.server_close()


def test_a_delivery_connects_to_the_address_it_checked_not_to_a_second_answer():
    with _server() as seen:
        # Checked: 127.0.0.1 (allowed outside production); a second lookup would say 192.0.2.1 (nowhere).
        resolver = Rebinding("127.0.0.1", "192.0.2.1")
        sent = delivery.send(_claim(f"http://hooks.example:{seen['port']}/hooks"), public_only=False,
                             show_private_excerpts=True, resolver=resolver)
    assert (sent.status_code, sent.excerpt, sent.error) == (200, "ok", None)
    assert resolver.calls == 1 and seen["hosts"] == [f"hooks.example:{seen['port']}"]


def _certificate(tmp_path, name: str) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


def test_tls_to_a_pinned_address_sends_the_host_name_and_checks_its_certificate(tmp_path, monkeypatch):
    cert, key = _certificate(tmp_path, "hooks.test")
    monkeypatch.setenv("SSL_CERT_FILE", cert)  # our self-signed certificate is the only trusted one
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    with _server(tls) as seen:
        ok = delivery.send(_claim(f"https://hooks.test:{seen['port']}/hooks"), public_only=False,
                           show_private_excerpts=True, resolver=Rebinding("127.0.0.1"))
        wrong = delivery.send(_claim(f"https://other.test:{seen['port']}/hooks"), public_only=False,
                              show_private_excerpts=True, resolver=Rebinding("127.0.0.1"))
    assert (ok.status_code, ok.error) == (200, None)
    assert seen["sni"][0] == "hooks.test" and seen["hosts"] == [f"hooks.test:{seen['port']}"]
    assert wrong.status_code is None and "certificate" in wrong.error.lower()


def test_answers_of_private_addresses_are_not_shown_outside_development(eager_jobs, sessions, partner, receiver):
    assert get_settings().env.value == "test"
    endpoint(sessions, partner.id, receiver.url)
    with sessions.begin() as session:
        add_block(session, 5)
        add_event(session, 5, 0, "RightsRegistry", "AssetRegistered", registered(1))
    receiver.statuses = [500]
    tasks.dispatch_chain_events.delay()
    with sessions() as session:
        [attempt] = session.scalars(select(WebhookDeliveryAttempt))
    assert (attempt.status_code, attempt.response_excerpt) == (500, "")


def test_start_says_loudly_that_webhook_urls_are_not_restricted(harmoni_env, capfd):
    harmoni_env.setenv("HARMONI_ENV", "development")
    get_settings.cache_clear()
    create_app(get_settings())  # the API; `harmoni up` says the same after its banner
    [line] = [json.loads(x) for x in capfd.readouterr().err.splitlines() if "WEBHOOK URLS ARE NOT RESTRICTED" in x]
    assert line["level"] == "warning" and "HARMONI_ENV=development" in line["msg"]
    warn_when_unrestricted("production", logging.getLogger("test"))
    assert "NOT RESTRICTED" not in capfd.readouterr().err
