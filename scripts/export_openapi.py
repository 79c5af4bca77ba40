"""Print the API's OpenAPI document (what `/openapi.json` serves) without starting a database, a chain or a server.

`python scripts/export_openapi.py > web/openapi.json` feeds `openapi-typescript`, which writes the web app's
typed client (`web/src/api/schema.d.ts`); `tests/web/test_schema_drift.py` runs both and fails on a difference.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile

# Nothing here connects: the engine and the chain client are lazy, and the URL below is never dialled.
_UNUSED_DATABASE = "postgresql://openapi@127.0.0.1:1/openapi"


def openapi_document() -> dict:
    """The document `create_app()` serves, built from settings that touch no service."""
    from api.app import create_app
    from harmoni.settings import Settings

    # The document must not depend on the machine's configuration: only defaults plus an unused database.
    for name in [n for n in os.environ if n.startswith("HARMONI_")]:
        del os.environ[name]
    with tempfile.TemporaryDirectory(prefix="harmoni-openapi-") as data_dir:
        app = create_app(Settings(database_url=_UNUSED_DATABASE, data_dir=data_dir, _env_file=None))
        return app.openapi()


def main() -> None:
    json.dump(openapi_document(), sys.stdout, indent=2, sort_keys=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
