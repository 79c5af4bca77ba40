"""Follows, blocks, mutes, likes and reposts over the API: idempotent edges, exact counts, flags, cursors."""

from __future__ import annotations


def _counts(api, user):
    response = api.get(f"/v1/accounts/{user.id}")
    assert response.status_code == 200
    return response.json()["counts"]


def test_following_twice_is_one_follow_and_counts_are_exact(api, people):
    fan, artist = people(), people("artist", handle="mira_keys")
    first = api.put(f"/v1/accounts/{artist.id}/follow", headers=fan.headers)
    again = api.put(f"/v1/accounts/{artist.id}/follow", headers=fan.headers)
    assert (first.json(), again.json()) == ({"active": True, "changed": True}, {"active": True, "changed": False})
    assert _counts(api, artist)["followers"] == 1 and _counts(api, fan)["following"] == 1
    assert api.delete(f"/v1/accounts/{artist.id}/follow", headers=fan.headers).json()["changed"] is True
    assert api.delete(f"/v1/accounts/{artist.id}/follow", headers=fan.headers).json()["changed"] is False
    assert _counts(api, artist)["followers"] == 0 and _counts(api, fan)["following"] == 0


def test_following_yourself_is_a_422_naming_the_field(api, people):
    fan = people()
    response = api.put(f"/v1/accounts/{fan.id}/follow", headers=fan.headers)
    assert response.status_code == 422 and response.json()["field"] == "user_id"


def test_follower_lists_page_with_a_cursor_and_say_who_follows_you(api, people):
    artist = people("artist", handle="the_band")
    fans = [people() for _ in range(5)]
    for fan in fans:
        assert api.put(f"/v1/accounts/{artist.id}/follow", headers=fan.headers).status_code == 200
    api.put(f"/v1/accounts/{fans[0].id}/follow", headers=artist.headers)  # the artist follows one fan back
    seen, cursor = [], None
    while True:
        page = api.get(f"/v1/accounts/{artist.id}/followers", params={"limit": 2, **({"cursor": cursor} if cursor
                                                                                     else {})},
                       headers=artist.headers).json()
        assert page["total"] == 5
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(item["user_id"] for item in seen) == sorted(str(f.id) for f in fans)
    assert all(item["follows_you"] for item in seen)  # each of them follows the artist (the viewer)
    assert {item["user_id"] for item in seen if item["followed_by_you"]} == {str(fans[0].id)}
    relation = api.get(f"/v1/accounts/{artist.id}", headers=fans[0].headers).json()["relationship"]
    assert relation == {"following": True, "follows_you": True, "blocking": False, "muting": False}
    bad = api.get(f"/v1/accounts/{artist.id}/followers", params={"cursor": "not-a-cursor"})
    assert bad.status_code == 422 and bad.json()["field"] == "cursor"


def test_a_block_ends_both_follows_and_refuses_new_ones(api, people):
    a, b = people(), people()
    api.put(f"/v1/accounts/{b.id}/follow", headers=a.headers)
    api.put(f"/v1/accounts/{a.id}/follow", headers=b.headers)
    assert api.put(f"/v1/accounts/{b.id}/block", headers=a.headers).json()["changed"] is True
    assert _counts(api, a) == {"followers": 0, "following": 0, "posts": 0, "likes": 0}
    refused = api.put(f"/v1/accounts/{a.id}/follow", headers=b.headers)
    assert refused.status_code == 403 and refused.json()["type"].endswith("/blocked")
    assert _counts(api, b)["followers"] == 0


def test_likes_and_reposts_are_idempotent_and_counted(api, people):
    artist, fan = people("artist"), people()
    post = api.post("/v1/posts", json={"text": "out now"}, headers=artist.headers).json()
    for _ in range(2):
        assert api.put(f"/v1/likes/post/{post['id']}", headers=fan.headers).status_code == 200
        repost = api.put(f"/v1/reposts/post/{post['id']}", json={"comment": "listen!"}, headers=fan.headers)
        assert repost.status_code == 200 and repost.json()["comment"] == "listen!"
    counts = api.get(f"/v1/posts/{post['id']}").json()["counts"]
    assert counts == {"likes": 1, "reposts": 1, "comments": 0}
    assert _counts(api, fan)["likes"] == 1
    missing = api.put("/v1/likes/recording/424242", headers=fan.headers)
    assert missing.status_code == 404 and missing.json()["field"] == "subject_id"
    assert api.put("/v1/likes/recording/x1", headers=fan.headers).status_code == 404
    own = api.put(f"/v1/reposts/post/{post['id']}", headers=artist.headers)
    assert own.status_code == 422


def test_registered_recordings_become_releases_of_the_wallets_account_once(db_session, api_settings):
    from identity.models import Wallet
    from ledger.models import Asset
    from social import service
    from social.models import Release
    from tests.social.factories import account

    artist = account(db_session, "artist")
    wallet = "0x" + "5a" * 20
    db_session.add(Wallet(user_id=artist.id, address=wallet, kind="linked"))
    db_session.add(Asset(chain_id=31337, asset_id=8101, kind="recording", controller=wallet.upper().replace("X", "x"),
                         industry_code="USRC17607840", work_ids=[], metadata_uri="", split_version=1,
                         split_hash="0x" + "00" * 32, split_recipients=[], split_allocations=[], split_locked=False,
                         frozen=False, registered_block=1, registered_tx="0x" + "00" * 32, updated_block=1))
    db_session.flush()
    assert service.sync_releases(db_session, api_settings) == 1
    assert service.sync_releases(db_session, api_settings) == 0
    assert db_session.get(Release, (31337, 8101)).artist_id == artist.id


def test_a_recordings_social_summary_counts_and_says_what_you_did(api, people):
    from social.models import Release
    from tests.social.test_posts import RECORDING, _recording

    sessions = api.app.state.context.sessions
    _recording(sessions)
    artist, fan, other = people("artist", handle="mira_keys"), people(), people()
    assert api.get(f"/v1/recordings/{RECORDING}/social").json() == {
        "asset_id": RECORDING, "artist_id": None, "artist_handle": None,
        "counts": {"likes": 0, "reposts": 0, "comments": 0}, "viewer": None}
    with sessions.begin() as session:
        session.add(Release(chain_id=31337, asset_id=RECORDING, artist_id=artist.id))
    assert api.put(f"/v1/likes/recording/{RECORDING}", headers=fan.headers).status_code == 200
    assert api.put(f"/v1/likes/recording/{RECORDING}", headers=other.headers).status_code == 200
    assert api.put(f"/v1/reposts/recording/{RECORDING}", headers=other.headers).status_code == 200
    mine = api.get(f"/v1/recordings/{RECORDING}/social", headers=fan.headers).json()
    assert mine["counts"] == {"likes": 2, "reposts": 1, "comments": 0}
    assert (mine["artist_id"], mine["artist_handle"]) == (str(artist.id), "mira_keys")
    assert mine["viewer"] == {"liked": True, "reposted": False}
    assert api.get(f"/v1/recordings/{RECORDING}/social", headers=other.headers).json()["viewer"] == {
        "liked": True, "reposted": True}
    missing = api.get("/v1/recordings/424242/social")
    assert missing.status_code == 404 and missing.json()["field"] == "asset_id"
