"""What the schema promises, the API does (issue #12, item 12): problems derived from each route's dependencies,
also for a router added later; problem+json on every error; `Allow` on every 405; an unreadable body is a 400
naming the body; an empty partner key is refused, not ignored."""

from typing import Annotated

import pytest
from fastapi import APIRouter

from api.deps import CurrentUser, OptionalUser, require_roles
from identity.models import Role, User
from tests.identity.factories import make_user

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
PROBLEM = "application/problem+json"


def test_a_router_added_later_documents_the_problems_of_what_it_depends_on(api):
    router = APIRouter(prefix="/v1/later", tags=["later"])

    @router.get("/mine")
    def mine(user: CurrentUser) -> dict:
        return {}

    @router.post("/admin-only")
    def admin_only(user: Annotated[User, require_roles(Role.admin)], body: dict) -> dict:
        return {}

    @router.get("/public")
    def public(user: OptionalUser, page: int = 1) -> dict:
        return {}

    api.app.include_router(router)
    spec = api.get("/openapi.json").json()
    mine_op = spec["paths"]["/v1/later/mine"]["get"]
    assert "401" in mine_op["responses"] and "422" not in mine_op["responses"]  # no parameters, no 422
    assert mine_op["security"] == [{"HTTPBearer": []}]
    admin_op = spec["paths"]["/v1/later/admin-only"]["post"]
    assert {"400", "401", "403", "413", "422"} <= set(admin_op["responses"])
    public_op = spec["paths"]["/v1/later/public"]["get"]
    assert {} in public_op["security"] and {"401", "422"} <= set(public_op["responses"])
    for operation in (mine_op, admin_op, public_op):
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                assert response["content"] == {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_every_error_response_in_the_document_is_problem_json_and_429_says_when_to_retry(api):
    spec = api.get("/openapi.json").json()
    seen_429 = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status != "default" and int(status) < 400:
                    continue
                assert list(response["content"]) == [PROBLEM], (method, path, status)
                if status == "429":
                    seen_429 += 1
                    assert response["headers"]["Retry-After"]["required"] is True
    assert seen_429 >= 5


def test_a_405_lists_every_method_of_the_path(api):
    for path, methods in (("/v1/periods", {"GET", "POST"}), ("/v1/partner/keys", {"GET", "POST"}),
                          ("/v1/me/artist-profile", {"GET", "PUT"})):
        response = api.request("OPTIONS", path)
        assert response.status_code == 405 and response.headers["content-type"] == PROBLEM
        assert methods <= {m.strip() for m in response.headers["allow"].split(",")}, (path, response.headers)
    refused = api.delete("/v1/periods")
    assert refused.status_code == 405 and "POST" in refused.headers["allow"] and "GET" in refused.headers["allow"]


def test_an_unreadable_body_is_400_naming_the_body(api):
    response = api.post("/v1/auth/login", content=b"\x84\x9e\xc6\xe9q", headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.headers["content-type"] == PROBLEM
    assert response.json()["type"].endswith("/malformed-body") and response.json()["field"] == "body"


def test_an_empty_api_key_header_is_a_refused_key_not_no_key(api):
    partner = make_user(api.app.state.context.sessions, api.app.state.context.settings, "partner")
    assert api.get("/v1/partner/webhooks", headers=partner.headers).status_code == 200
    refused = api.get("/v1/partner/webhooks", headers={**partner.headers, "X-API-Key": ""})
    assert refused.status_code == 401 and refused.json()["type"].endswith("/invalid-api-key")


def test_a_link_longer_once_normalised_is_refused_not_a_500(api):
    artist = make_user(api.app.state.context.sessions, api.app.state.context.settings, "artist")
    url = "https://example.com/" + "a b" * 600  # 1,820 characters sent; 3,020 once the spaces are %20
    response = api.put("/v1/me/artist-profile", headers=artist.headers,
                       json={"display_name": "Ada", "links": [{"label": "Site", "url": url}]})
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
    assert response.json()["field"] == "links[0].url"
