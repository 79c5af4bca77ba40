"""The API serves the built web app at `/`: index.html revalidated, hashed assets cached for good, deep links
answered with the app, and everything under /v1 (and the docs) left to the API."""

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from harmoni.settings import Settings

INDEX = '<!doctype html><html><head><script type="module" src="/assets/index-Ab12Cd34.js"></script></head>' \
        '<body><div id="root"></div></body></html>'


def _app(tmp_path, dist) -> TestClient:
    settings = Settings(_env_file=None, env="test", database_url="postgresql://web@127.0.0.1:1/web",
                        data_dir=tmp_path / "var", web_dist_dir=dist)
    return TestClient(create_app(settings))


@pytest.fixture
def dist(tmp_path):
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text(INDEX)
    (root / "assets" / "index-Ab12Cd34.js").write_text("console.log('harmoni')")
    (root / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "secret.txt").write_text("outside the build")
    return root


@pytest.fixture
def web(tmp_path, dist):
    with _app(tmp_path, dist) as client:
        yield client


def test_root_serves_index_revalidated(web):
    response = web.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"
    assert response.text == INDEX


@pytest.mark.parametrize("path", ["/auditor/periods/3", "/catalog/7", "/sign-in?next=%2Fartist", "/artist/register"])
def test_deep_links_fall_back_to_index(web, path):
    response = web.get(path)
    assert response.status_code == 200 and response.text == INDEX
    assert response.headers["cache-control"] == "no-cache"


def test_hashed_asset_is_immutable(web):
    response = web.get("/assets/index-Ab12Cd34.js")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "javascript" in response.headers["content-type"]
    assert response.text == "console.log('harmoni')"


def test_unhashed_file_is_revalidated_and_missing_asset_is_404(web):
    assert web.get("/favicon.svg").headers["cache-control"] == "no-cache"
    missing = web.get("/assets/index-OldBuild.js")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_nothing_outside_the_build_is_served(web):
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/assets/../../secret.txt"):
        response = web.get(path)
        assert "outside the build" not in response.text, path


def test_api_and_docs_are_untouched(web):
    chain = web.get("/v1/chain")
    assert chain.status_code == 200 and chain.json()["chain_id"] == 31337
    unknown = web.get("/v1/no-such-thing")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    assert web.get("/v1/auth/login").status_code == 405  # a POST route keeps its 405, not the app
    assert web.get("/openapi.json").json()["info"]["title"] == "HARMONI API"
    assert web.get("/docs").headers["content-type"].startswith("text/html")
    assert "swagger" in web.get("/docs").text.lower()
    assert web.get("/healthz").json() == {"status": "ok"}
    assert web.post("/some/page").status_code in (404, 405)  # only GET and HEAD reach the app


def test_missing_build_says_to_run_make_web(tmp_path):
    with _app(tmp_path, tmp_path / "not-built") as client:
        response = client.get("/")
        assert response.status_code == 503
        assert "make web" in response.text
        assert client.get("/auditor/periods/1").status_code == 503
        assert client.get("/v1/chain").status_code == 200
