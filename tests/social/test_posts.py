"""Posts with entities (never HTML), attachments, edits with history, deletes, visibility; comments and
reactions; the word filter and the write limits."""

from __future__ import annotations

import uuid

from identity.models import Wallet
from ledger.models import Asset, Edition, EditionTransfer

RECORDING = 7001


def _recording(sessions, asset_id: int = RECORDING) -> None:
    with sessions.begin() as session:
        session.add(Asset(chain_id=31337, asset_id=asset_id, kind="recording", controller="0x" + "11" * 20,
                          industry_code="USRC17607839", work_ids=[], metadata_uri="", split_version=1,
                          split_hash="0x" + "00" * 32, split_recipients=[], split_allocations=[], split_locked=False,
                          frozen=False, registered_block=1, registered_tx="0x" + "00" * 32, updated_block=1))


def test_a_post_comes_back_as_text_and_entities_and_html_stays_text(api, people):
    artist = people("artist", handle="blue_hour")
    people(handle="mira_keys")
    body = "<b>New</b> single with @mira_keys and @nobody_here #BlueHour https://harmoni.music/r/7. <script>x</script>"
    post = api.post("/v1/posts", json={"text": body}, headers=artist.headers)
    assert post.status_code == 201, post.text
    data = post.json()
    assert data["text"] == body  # stored and returned as typed: clients render text, never HTML
    kinds = [(e["type"], body[e["start"]:e["end"]]) for e in data["entities"]]
    assert kinds == [("mention", "@mira_keys"), ("mention", "@nobody_here"), ("hashtag", "#BlueHour"),
                     ("link", "https://harmoni.music/r/7")]
    mention = data["entities"][0]
    assert mention["handle"] == "mira_keys" and mention["user_id"] is not None
    assert data["entities"][1]["user_id"] is None
    assert data["entities"][2]["tag"] == "bluehour"


def test_fans_post_only_when_the_setting_allows(api, people, configure):
    fan = people()
    refused = api.post("/v1/posts", json={"text": "hi"}, headers=fan.headers)
    assert refused.status_code == 403
    configure(social_fans_may_post=True)
    assert api.post("/v1/posts", json={"text": "hi"}, headers=fan.headers).status_code == 201


def test_edits_keep_history_and_delete_erases_it(api, people):
    artist, other = people("artist"), people("artist")
    post = api.post("/v1/posts", json={"text": "first"}, headers=artist.headers).json()
    assert api.patch(f"/v1/posts/{post['id']}", json={"text": "second"}, headers=artist.headers).json()["text"] \
        == "second"
    api.patch(f"/v1/posts/{post['id']}", json={"text": "third"}, headers=artist.headers)
    history = api.get(f"/v1/posts/{post['id']}/revisions").json()
    assert [(r["revision"], r["text"]) for r in history] == [(1, "first"), (2, "second")]
    assert api.patch(f"/v1/posts/{post['id']}", json={"text": "x"}, headers=other.headers).status_code == 403
    assert api.delete(f"/v1/posts/{post['id']}", headers=artist.headers).status_code == 204
    assert api.get(f"/v1/posts/{post['id']}").status_code == 404
    assert api.get(f"/v1/accounts/{artist.id}").json()["counts"]["posts"] == 0


def test_attachments_must_exist(api, people, sessions):
    artist = people("artist")
    _recording(sessions)
    ok = api.post("/v1/posts", json={"text": "listen", "attachments": [{"type": "recording", "id": str(RECORDING)}]},
                  headers=artist.headers)
    assert ok.status_code == 201 and ok.json()["attachments"] == [{"type": "recording", "id": str(RECORDING)}]
    missing = api.post("/v1/posts", json={"text": "x", "attachments": [{"type": "image", "id": str(uuid.uuid4())}]},
                       headers=artist.headers)
    assert missing.status_code == 404 and missing.json()["field"] == "attachments[0].id"


def test_followers_only_and_holders_only_posts(api, people, sessions):
    artist, follower, stranger, holder = people("artist"), people(), people(), people()
    api.put(f"/v1/accounts/{artist.id}/follow", headers=follower.headers)
    wallet = "0x" + "ab" * 20
    with sessions.begin() as session:
        session.add(Edition(chain_id=31337, block_number=1, log_index=0, tx_hash="0x" + "00" * 32, edition_id=9,
                            asset_id=RECORDING, creator=wallet, payment_token=wallet, price=1, max_supply=10,
                            sale_start=0, sale_end=0, per_wallet_cap=1, royalty_bps=0, royalty_receiver=wallet,
                            platform_fee_bps=0))
        session.add(EditionTransfer(chain_id=31337, block_number=2, log_index=0, position=0, edition_id=9,
                                    sender="0x" + "00" * 20, recipient=wallet, amount=1))
        session.add(Wallet(user_id=holder.id, address=wallet, kind="linked"))
    followers_only = api.post("/v1/posts", json={"text": "soundcheck", "visibility": "followers"},
                              headers=artist.headers).json()
    gated = api.post("/v1/posts", json={"text": "stems", "visibility": "holders", "edition_id": 9},
                     headers=artist.headers).json()
    assert api.get(f"/v1/posts/{followers_only['id']}", headers=follower.headers).status_code == 200
    assert api.get(f"/v1/posts/{followers_only['id']}", headers=stranger.headers).status_code == 403
    assert api.get(f"/v1/posts/{followers_only['id']}").status_code == 403
    assert api.get(f"/v1/posts/{gated['id']}", headers=holder.headers).status_code == 200
    refused = api.get(f"/v1/posts/{gated['id']}", headers=follower.headers)
    assert refused.status_code == 403 and refused.json()["type"].endswith("/not-visible")
    timeline = api.get(f"/v1/accounts/{artist.id}/timeline", headers=stranger.headers).json()["items"]
    assert timeline == []
    no_edition = api.post("/v1/posts", json={"text": "x", "visibility": "holders"}, headers=artist.headers)
    assert no_edition.status_code == 422 and no_edition.json()["field"] == "edition_id"


def test_threaded_comments_with_a_moment_of_the_track_and_reactions(api, people, sessions):
    _recording(sessions)
    a, b = people(handle="ann"), people(handle="ben")
    top = api.post(f"/v1/recordings/{RECORDING}/comments", json={"text": "that drop", "at": "at 1:32"},
                   headers=a.headers)
    assert top.status_code == 201 and top.json()["at_seconds"] == 92
    reply = api.post(f"/v1/recordings/{RECORDING}/comments",
                     json={"text": "@ann yes!", "parent_id": top.json()["id"]}, headers=b.headers).json()
    deeper = api.post(f"/v1/recordings/{RECORDING}/comments", json={"text": "+1", "parent_id": reply["id"]},
                      headers=a.headers).json()
    bad_at = api.post(f"/v1/recordings/{RECORDING}/comments", json={"text": "x", "at": "soon"}, headers=a.headers)
    assert bad_at.status_code == 422 and bad_at.json()["field"] == "at"
    assert api.put(f"/v1/reactions/comment/{top.json()['id']}/fire", headers=b.headers).json()["changed"]
    assert not api.put(f"/v1/reactions/comment/{top.json()['id']}/fire", headers=b.headers).json()["changed"]
    page = api.get(f"/v1/recordings/{RECORDING}/comments").json()
    assert len(page["items"]) == 1
    thread = page["items"][0]
    assert thread["comment"]["reactions"] == {"fire": 1}
    # (one test transaction: every row has the same time, so compare the thread's shape, not its order)
    assert sorted((r["id"], r["parent_id"]) for r in thread["replies"]) == sorted(
        [(reply["id"], top.json()["id"]), (deeper["id"], reply["id"])])
    activity = api.get(f"/v1/recordings/{RECORDING}/activity").json()["items"]
    assert sorted(i["kind"] for i in activity) == ["comment", "comment", "comment"]


def test_the_word_filter_and_the_write_limit(api, people, configure):
    configure(social_blocked_words="badword, worse phrase", social_write_rate_limit_per_minute=3)
    artist = people("artist")
    refused = api.post("/v1/posts", json={"text": "a BadWord here"}, headers=artist.headers)
    assert refused.status_code == 422 and refused.json()["field"] == "text"
    assert refused.json()["type"].endswith("/word-filtered")
    assert api.post("/v1/posts", json={"text": "badwords are fine"}, headers=artist.headers).status_code == 201
    assert api.post("/v1/posts", json={"text": "ok"}, headers=artist.headers).status_code == 201
    limited = api.post("/v1/posts", json={"text": "one more"}, headers=artist.headers)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1


def test_social_writes_are_limited_per_client_address_too(api, people, configure):
    """Accounts each within their own limit, writing from one address, meet that address's limit; another address
    is not held up, and the refused write changed nothing."""
    import uuid

    from fastapi.testclient import TestClient

    configure(social_write_rate_limit_per_minute=100, social_write_ip_rate_limit_per_minute=3)
    octets = uuid.uuid4().int  # a fresh address per run: counters kept in Redis by an earlier run never meet it
    shared, other = (f"198.51.{octets % 250}.{octets // 250 % 250 + 1}",
                     f"203.0.{octets % 250}.{octets // 250 % 250 + 1}")
    artist = people("artist")
    fans = [people() for _ in range(4)]
    at_shared = TestClient(api.app, client=(shared, 40000))
    statuses = [at_shared.put(f"/v1/accounts/{artist.id}/follow", headers=fan.headers).status_code for fan in fans]
    assert statuses == [200, 200, 200, 429]
    limited = at_shared.put(f"/v1/accounts/{artist.id}/follow", headers=fans[3].headers)
    assert limited.status_code == 429 and limited.headers["content-type"].startswith("application/problem+json")
    assert int(limited.headers["Retry-After"]) >= 1
    followers = api.get(f"/v1/accounts/{artist.id}").json()["counts"]["followers"]
    assert followers == 3  # the refused follow was not made
    at_other = TestClient(api.app, client=(other, 40000))
    assert at_other.put(f"/v1/accounts/{artist.id}/follow", headers=fans[3].headers).status_code == 200
