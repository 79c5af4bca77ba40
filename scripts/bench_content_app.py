"""The API app with one more route for `bench_content.py`: the object store served by Starlette's StaticFiles.

The baseline of the streaming figures: the same file, the same server and range handling, without signature,
database lookups or the rendition's headers.
"""

from __future__ import annotations

from fastapi.staticfiles import StaticFiles

from api.app import create_app
from harmoni.settings import get_settings


def create():
    app = create_app()
    objects = get_settings().objects_path
    objects.mkdir(parents=True, exist_ok=True)
    app.mount("/bench-static", StaticFiles(directory=objects), name="bench-static")
    return app
