"""Webhook signatures: what verifies, what does not, and the README's recipe agrees with the helper."""

import json
import re
import time
from pathlib import Path

import pytest

from partners.errors import WebhookUrlRefused
from partners.webhooks import check_url, new_signing_secret, sign, verify_signature

SECRET = new_signing_secret()
BODY = json.dumps({"id": "evt_1", "type": "asset.registered", "data": {"asset_id": 7}}, separators=(",", ":"))


def test_a_signature_verifies_only_the_body_it_signed():
    header = sign(SECRET, BODY)
    assert re.fullmatch(r"t=\d+,v1=[0-9a-f]{64}", header)
    assert verify_signature(SECRET, header, BODY) and verify_signature(SECRET, header, BODY.encode())
    assert not verify_signature(SECRET, header, BODY.replace('"asset_id":7', '"asset_id":8'))
    assert not verify_signature(SECRET, header, BODY + " ")
    assert not verify_signature(new_signing_secret(), header, BODY)


def test_old_malformed_or_retimed_signatures_fail():
    now = time.time()
    old = sign(SECRET, BODY, int(now) - 301)
    assert not verify_signature(SECRET, old, BODY, now=now)
    assert verify_signature(SECRET, old, BODY, tolerance_s=400, now=now)
    t, v1 = sign(SECRET, BODY, int(now)).split(",")
    assert not verify_signature(SECRET, f"t={int(now) + 1},{v1}", BODY, now=now)  # timestamp is signed too
    for header in ("", v1, t, "t=abc," + v1, f"{t},v1="):
        assert not verify_signature(SECRET, header, BODY, now=now)
    # Rotation: either of two v1 entries may match.
    assert verify_signature(SECRET, f"{t},v1={'0' * 64},{v1}", BODY, now=now)


def test_the_readme_recipe_verifies_our_signatures():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## Partner API", 1)[1]
    code = section.split("```python", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102 -- our own documentation
    header = sign(SECRET, BODY)
    assert namespace["verify"](SECRET, header, BODY.encode())
    assert not namespace["verify"](SECRET, header, BODY.encode() + b" ")


def test_urls_we_send_to():
    assert check_url("http://127.0.0.1:9000/hook", public_only=False) == "http://127.0.0.1:9000/hook"
    for url in ("ftp://example.com/x", "https://user:pw@example.com/x", "not a url"):
        with pytest.raises(WebhookUrlRefused):
            check_url(url, public_only=False)
    # Production: https to public addresses only.
    for url in ("http://example.com/x", "https://127.0.0.1/x", "https://localhost/x", "https://10.1.2.3/x",
                "https://169.254.169.254/latest"):
        with pytest.raises(WebhookUrlRefused):
            check_url(url, public_only=True)
    assert check_url("https://8.8.8.8/hook", public_only=True) == "https://8.8.8.8/hook"
