"""The web app's typed client (`web/src/api/schema.d.ts`) is generated from the API's OpenAPI document and
committed; this fails when the API changed without it being regenerated (`make web-schema`)."""

import subprocess
import sys
from pathlib import Path

from chain.toolchain import REPO_ROOT

WEB = REPO_ROOT / "web"
GENERATOR = WEB / "node_modules" / "openapi-typescript" / "bin" / "cli.js"


def test_committed_schema_matches_the_api(tmp_path: Path):
    assert GENERATOR.exists(), "web/node_modules is missing: run `make web-deps` (make test does)"
    document = tmp_path / "openapi.json"
    exported = subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "export_openapi.py")],
                              capture_output=True, text=True, check=True, cwd=REPO_ROOT)
    document.write_text(exported.stdout)
    generated = tmp_path / "schema.d.ts"
    subprocess.run(["node", str(GENERATOR), str(document), "-o", str(generated)],
                   capture_output=True, text=True, check=True, cwd=WEB)
    committed = (WEB / "src" / "api" / "schema.d.ts").read_text()
    assert generated.read_text() == committed, (
        "web/src/api/schema.d.ts is out of date with the API: run `make web-schema` and commit the result")
