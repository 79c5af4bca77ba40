"""GET /v1/me/notifications and friends, over HTTP, on the rolled-back test database."""

from __future__ import annotations

import pytest

from notifications import service
from notifications.models import NotificationKind
from tests.identity.factories import make_user

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def _context(api):
    return api.app.state.context


def _likes(api, recipient, subjects: int, fans_per_subject: int = 1):
    context = _context(api)
    fans = [make_user(context.sessions, context.settings, "fan") for _ in range(fans_per_subject)]
    with context.sessions.begin() as session:
        for subject in range(subjects):
            for fan in fans:
                service.notify(session, recipient_id=recipient.id, kind=NotificationKind.like, actor_id=fan.id,
                               subject_type="recording", subject_id=subject, data={"title": f"Track {subject}"},
                               settings=context.settings)
    return fans


def test_list_pages_with_a_cursor_and_counts_unread(api):
    context = _context(api)
    artist = make_user(context.sessions, context.settings, "artist")
    _likes(api, artist, subjects=5)
    first = api.get("/v1/me/notifications", params={"limit": 2}, headers=artist.headers).json()
    assert first["unread_count"] == 5 and len(first["items"]) == 2 and first["next_cursor"]
    seen = [item["subject_id"] for item in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = api.get("/v1/me/notifications", params={"limit": 2, "cursor": cursor}, headers=artist.headers).json()
        seen += [item["subject_id"] for item in page["items"]]
        cursor = page["next_cursor"]
    assert seen == ["4", "3", "2", "1", "0"]  # newest first, each once
    assert first["items"][0]["summary"].endswith("liked Track 4") and first["items"][0]["read"] is False


def test_grouped_line_names_the_latest_actors(api):
    context = _context(api)
    artist = make_user(context.sessions, context.settings, "artist")
    _likes(api, artist, subjects=1, fans_per_subject=7)
    (item,) = api.get("/v1/me/notifications", headers=artist.headers).json()["items"]
    assert item["actor_count"] == 7 and len(item["actors"]) == 5
    assert item["summary"] == f"{item['actors'][0]['name']} and 6 others liked Track 0"


def test_mark_one_and_all_read(api):
    context = _context(api)
    artist, stranger = (make_user(context.sessions, context.settings, "artist"),
                        make_user(context.sessions, context.settings, "fan"))
    _likes(api, artist, subjects=3)
    items = api.get("/v1/me/notifications", headers=artist.headers).json()["items"]
    refused = api.post(f"/v1/me/notifications/{items[0]['id']}/read", headers=stranger.headers)
    assert refused.status_code == 404 and refused.json()["type"].endswith("/notification-not-found")
    read = api.post(f"/v1/me/notifications/{items[0]['id']}/read", headers=artist.headers)
    assert read.status_code == 200 and read.json()["read"] is True
    assert api.get("/v1/me/notifications/unread-count", headers=artist.headers).json() == {"unread_count": 2}
    unread = api.get("/v1/me/notifications", params={"unread_only": True}, headers=artist.headers).json()
    assert {i["id"] for i in unread["items"]} == {items[1]["id"], items[2]["id"]}
    assert api.post("/v1/me/notifications/read-all", headers=artist.headers).json() == {"marked": 2,
                                                                                      "unread_count": 0}
    assert api.get("/v1/me/notifications/unread-count", headers=artist.headers).json() == {"unread_count": 0}


def test_a_new_actor_makes_a_read_group_unread_again(api):
    context = _context(api)
    artist = make_user(context.sessions, context.settings, "artist")
    _likes(api, artist, subjects=1)
    api.post("/v1/me/notifications/read-all", headers=artist.headers)
    _likes(api, artist, subjects=1)
    (item,) = api.get("/v1/me/notifications", headers=artist.headers).json()["items"]
    assert item["read"] is False and item["actor_count"] == 2


def test_a_cursor_not_from_this_endpoint_is_a_422_naming_it(api):
    user = make_user(_context(api).sessions, _context(api).settings, "fan")
    response = api.get("/v1/me/notifications", params={"cursor": "bm90IGEgY3Vyc29y"}, headers=user.headers)
    assert response.status_code == 422 and response.json()["field"] == "cursor"


def test_preferences_default_then_saved(api):
    user = make_user(_context(api).sessions, _context(api).settings, "fan")
    defaults = api.get("/v1/me/notification-preferences", headers=user.headers).json()
    assert len(defaults) == len(NotificationKind) * 2 and all(p["default"] for p in defaults)
    assert {(p["kind"], p["channel"]): p["delivery"] for p in defaults}[("like", "email")] == "daily"
    saved = api.put("/v1/me/notification-preferences", headers=user.headers,
                    json={"preferences": [{"kind": "like", "channel": "email", "delivery": "off"},
                                          {"kind": "comment", "channel": "in_app", "delivery": "off"}]})
    assert saved.status_code == 200
    chosen = {(p["kind"], p["channel"]): (p["delivery"], p["default"]) for p in saved.json()}
    assert chosen[("like", "email")] == ("off", False) and chosen[("comment", "in_app")] == ("off", False)
    assert chosen[("like", "in_app")] == ("immediate", True)
    bad = api.put("/v1/me/notification-preferences", headers=user.headers,
                  json={"preferences": [{"kind": "like", "channel": "pigeon", "delivery": "off"}]})
    assert bad.status_code == 422 and bad.json()["field"] == "preferences[0].channel"
