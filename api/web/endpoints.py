"""The web app (`web/dist`, built by `make web`) at `/`, beside the API under `/v1`.

Vite names every file under `assets/` by its content hash, so those are cached for a year and never revalidated;
`index.html` names the current ones and is revalidated on every load (`no-cache`), so a new build shows at once.
Every other GET that is not the API's, the docs' or a file of the build answers `index.html`: the app routes deep
links (`/auditor/periods/3`) itself. The build is looked up per request, so `make web` needs no API restart.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.types import Receive, Scope, Send

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# Paths the SPA never answers for: the API, its docs and probes (an unknown one there is a problem+json 404).
_NOT_THE_APP = ("v1", "docs", "docs-assets", "redoc", "openapi.json", "healthz", "readyz", "metrics")
_NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>HARMONI: web app not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>The HARMONI web app is not built yet</h1>
<p>Run <code>make web</code> (or <code>make run</code>, which builds it) at the repository's root, then reload.</p>
<p>The API works meanwhile: see <a href="/docs">/docs</a>.</p>
</body></html>
"""


def _inside(root: Path, relative: str) -> Path | None:
    """The file `relative` names under `root`, or None (missing, a directory, or outside it: `..`, symlinks)."""
    try:
        candidate = (root / relative).resolve()
    except (OSError, ValueError):
        return None
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    return candidate


def install(app: FastAPI, dist: Path) -> None:
    """Serve the build in `dist` for every GET no route of the app matches.

    It takes the router's fallback (`router.default`), not a catch-all route: a path the API knows under another
    method keeps its 405, and no route added later is shadowed. Call it once every router is included.
    """
    root = dist.resolve()
    not_found = app.router.default

    def index() -> Response:
        page = root / "index.html"
        if not page.is_file():
            return HTMLResponse(_NOT_BUILT, status_code=503, headers={"Cache-Control": "no-store"})
        return FileResponse(page, media_type="text/html", headers={"Cache-Control": REVALIDATE})

    def answer(path: str) -> Response | None:
        if path.split("/", 1)[0] in _NOT_THE_APP:
            return None
        found = _inside(root, path) if path else None
        if found is not None and found.name != "index.html":
            hashed = path.startswith("assets/")
            return FileResponse(found, headers={"Cache-Control": IMMUTABLE if hashed else REVALIDATE})
        if path.startswith("assets/"):  # a hashed file of an older build: a 404, not the page in its place
            return None
        return index()

    async def web_app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            response = answer(scope["path"].lstrip("/"))
            if response is not None:
                await response(scope, receive, send)
                return
        await not_found(scope, receive, send)

    app.router.default = web_app
