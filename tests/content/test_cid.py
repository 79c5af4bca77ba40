import hashlib

import pytest

from content.cid import cid_v1_raw, sha256_of_cid


def test_empty_content_has_the_well_known_cid():
    assert cid_v1_raw(b"") == "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"


def test_cid_round_trips_to_the_sha256():
    data = b'{"title":"Song","isrc":"USRC17607839"}'
    cid = cid_v1_raw(data)
    assert cid.startswith("bafkrei") and len(cid) == 59
    assert sha256_of_cid(cid) == hashlib.sha256(data).digest()
    assert cid_v1_raw(data + b" ") != cid


def test_foreign_cids_are_refused():
    with pytest.raises(ValueError):
        sha256_of_cid("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG")
