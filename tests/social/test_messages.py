"""Direct messages: the recipient's setting, the requests folder for strangers, read receipts, blocks, limits;
reports and the moderation queue over the API."""

from __future__ import annotations


def _send(api, sender, recipient, text="hi"):
    return api.post("/v1/messages", json={"recipient_id": str(recipient.id), "text": text}, headers=sender.headers)


def test_a_strangers_message_is_a_request_until_accepted_and_receipts_show_reading(api, people):
    fan, artist = people(), people("artist")
    sent = _send(api, fan, artist, "love the record")
    assert sent.status_code == 201
    conversation = sent.json()["conversation_id"]
    assert api.get("/v1/me/conversations", headers=artist.headers).json() == []
    requests = api.get("/v1/me/conversations", params={"folder": "requests"}, headers=artist.headers).json()
    assert [(c["id"], c["unread"], c["last_message"]["text"]) for c in requests] == [(conversation, 1,
                                                                                     "love the record")]
    before = api.get(f"/v1/conversations/{conversation}/messages", headers=fan.headers).json()
    assert before["other_read_at"] is None
    assert api.post(f"/v1/conversations/{conversation}/read", headers=artist.headers).status_code == 200
    after = api.get(f"/v1/conversations/{conversation}/messages", headers=fan.headers).json()
    assert after["other_read_at"] == after["items"][0]["created_at"]
    assert api.post(f"/v1/conversations/{conversation}/accept", headers=artist.headers).status_code == 204
    inbox = api.get("/v1/me/conversations", headers=artist.headers).json()
    assert [(c["id"], c["unread"]) for c in inbox] == [(conversation, 0)]
    outsider = people()
    assert api.get(f"/v1/conversations/{conversation}/messages", headers=outsider.headers).status_code == 404


def test_a_followed_account_lands_in_the_inbox(api, people):
    fan, artist = people(), people("artist")
    api.put(f"/v1/accounts/{fan.id}/follow", headers=artist.headers)
    _send(api, fan, artist)
    assert len(api.get("/v1/me/conversations", headers=artist.headers).json()) == 1


def test_the_recipients_setting_and_blocks_are_respected(api, people):
    fan, artist, friend = people(), people("artist"), people()
    assert api.put("/v1/me/social-profile", json={"handle": "quiet_one", "dm_policy": "followers"},
                   headers=artist.headers).status_code == 200
    refused = _send(api, fan, artist)
    assert refused.status_code == 403 and refused.json()["type"].endswith("/messages-refused")
    api.put(f"/v1/accounts/{friend.id}/follow", headers=artist.headers)
    assert _send(api, friend, artist).status_code == 201
    api.put("/v1/me/social-profile", json={"dm_policy": "nobody"}, headers=artist.headers)
    assert _send(api, friend, artist).status_code == 403
    api.put(f"/v1/accounts/{fan.id}/block", headers=friend.headers)
    blocked = _send(api, fan, friend)
    assert blocked.status_code == 403 and blocked.json()["type"].endswith("/blocked")
    assert _send(api, fan, fan).status_code == 422


def test_messages_are_rate_limited(api, people, configure):
    configure(social_message_rate_limit_per_minute=2)
    fan, other = people(), people()
    assert [_send(api, fan, other).status_code for _ in range(3)] == [201, 201, 429]


def test_reported_messages_are_hidden_and_accounts_suspended_by_admins(api, people):
    fan, artist, admin = people(), people("artist"), people("admin")
    message = _send(api, fan, artist, "buy followers cheap").json()
    report = api.post("/v1/reports", json={"subject_type": "message", "subject_id": message["id"],
                                           "reason": "spam"}, headers=artist.headers)
    assert report.status_code == 201
    again = api.post("/v1/reports", json={"subject_type": "message", "subject_id": message["id"],
                                          "reason": "spam"}, headers=artist.headers)
    assert again.json()["id"] == report.json()["id"]
    outsider = people()
    assert api.post("/v1/reports", json={"subject_type": "message", "subject_id": message["id"], "reason": "x"},
                    headers=outsider.headers).status_code == 404
    queue = api.get("/v1/admin/reports", headers=admin.headers).json()
    assert [r["id"] for r in queue] == [report.json()["id"]]
    assert api.get("/v1/admin/reports", headers=fan.headers).status_code == 403
    acted = api.post(f"/v1/admin/reports/{report.json()['id']}/actions", json={"action": "suspend"},
                     headers=admin.headers)
    assert acted.status_code == 200 and acted.json()["status"] == "actioned"
    suspended = _send(api, fan, artist, "again")
    assert suspended.status_code == 403 and suspended.json()["type"].endswith("/account-suspended")
    account_report = api.post("/v1/reports", json={"subject_type": "account", "subject_id": str(fan.id),
                                                   "reason": "spam"}, headers=artist.headers).json()
    hide_account = api.post(f"/v1/admin/reports/{account_report['id']}/actions", json={"action": "hide"},
                            headers=admin.headers)
    assert hide_account.status_code == 422 and hide_account.json()["field"] == "action"
