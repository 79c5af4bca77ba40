"""The interactive API docs (`/docs`, `/redoc`) with their JavaScript and CSS served from here, not a CDN.

Users run HARMONI offline and behind firewalls; FastAPI's defaults load Swagger UI and ReDoc from jsDelivr, which
leaves a blank page there. The files come from the `fastapi-offline` wheel (Swagger UI and ReDoc bundles), so
the API needs no Node at run time.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import FileResponse, HTMLResponse

from harmoni.errors import NotFound

ASSETS = Path(fastapi_offline.__file__).parent / "static"
PREFIX = "/docs-assets"
FILES = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css",
         "redoc.standalone.js": "text/javascript", "favicon.png": "image/png"}


def install(app: FastAPI) -> None:
    """Serve the docs pages and their assets; the app must be created with docs_url=None, redoc_url=None."""
    title = app.title

    @app.get(PREFIX + "/{asset}", include_in_schema=False)
    def docs_asset(asset: str) -> FileResponse:
        if asset not in FILES:
            raise NotFound(f"no docs asset {asset!r}")
        return FileResponse(ASSETS / asset, media_type=FILES[asset],
                            headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=app.openapi_url, title=f"{title} — docs",
                                   swagger_js_url=f"{PREFIX}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{PREFIX}/swagger-ui.css",
                                   swagger_favicon_url=f"{PREFIX}/favicon.png",
                                   oauth2_redirect_url="/docs/oauth2-redirect")

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    def swagger_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(openapi_url=app.openapi_url, title=f"{title} — reference",
                              redoc_js_url=f"{PREFIX}/redoc.standalone.js", redoc_favicon_url=f"{PREFIX}/favicon.png",
                              with_google_fonts=False)
