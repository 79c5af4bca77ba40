import hashlib
import os

import pytest

from content.cid import CHUNK, cid_of_sha256, cid_v1_raw, file_digest, sha256_of_cid


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


@pytest.mark.parametrize("size", [0, CHUNK, 2 * CHUNK + 12345])
def test_file_digest_streams_to_the_same_digest_and_size(tmp_path, size):
    data = os.urandom(size)
    path = tmp_path / "master.wav"
    path.write_bytes(data)
    digest, measured = file_digest(path)
    assert digest == hashlib.sha256(data).digest() and measured == size
    assert cid_of_sha256(digest) == cid_v1_raw(data)


def test_cid_of_sha256_refuses_other_digest_lengths():
    with pytest.raises(ValueError, match="32 bytes"):
        cid_of_sha256(b"\x00" * 20)
