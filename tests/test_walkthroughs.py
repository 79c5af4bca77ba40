"""The README's walk-throughs run as written: in a fresh shell, next to a fresh `harmoni up`.

The shell has none of the stack's `HARMONI_*` variables and only the system PATH; it stands where a user who
cloned the repository would (a `.venv` beside it), so `source .venv/bin/activate` and `harmoni …` are tested as
written. Only the API's port is changed (to a free one) and the period close grace is shortened.
"""

import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from scripts.eval_fingerprints import synth_clip
from tests.conftest import free_port
from tests.content.media.audiogen import write
from tests.harmoni.test_stack import _start, _wait_ready

ROOT = Path(__file__).resolve().parents[1]
BLOCKS = ("A walk-through on `make run`", "A period on `make run`")


def readme_block(marker: str) -> str:
    text = (ROOT / "README.md").read_text()
    return text.split(marker, 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]


@pytest.fixture
def user_checkout(tmp_path):
    """A directory laid out like a clone after `make run`: its `.venv`, an audio file, a `var/` data directory."""
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    write(tmp_path / "master.wav", synth_clip(3, seconds=40.0), 22050, "wav")
    return tmp_path


def test_the_walkthroughs_run_as_written(user_checkout):
    if shutil.which("jq") is None or shutil.which("curl") is None:
        pytest.fail("the README's walk-throughs need curl and jq (make test installs them)")
    api_port, anvil_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARMONI_")}
    env.update(HARMONI_API_PORT=str(api_port), HARMONI_ANVIL_PORT=str(anvil_port), HARMONI_ENV="development",
               HARMONI_PERIOD_CLOSE_GRACE_S="5", HARMONI_SMTP_CATCHER_PORT=str(free_port()),
               HARMONI_STRIPE_LOCAL_PORT=str(free_port()))  # another test's stack may hold the default ports
    stack = _start(user_checkout, env, "stack")
    try:
        _wait_ready(stack, api_port, user_checkout, "stack")
        script = "\n".join(readme_block(marker) for marker in BLOCKS)
        assert "API=http://127.0.0.1:8000\n" in script
        script = script.replace("API=http://127.0.0.1:8000\n", f"API=http://127.0.0.1:{api_port}\n")
        shell = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(user_checkout), "LANG": "C.UTF-8"}
        run = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=user_checkout, env=shell,
                             capture_output=True, text=True, timeout=420)
        out = run.stdout
        assert run.returncode == 0, f"exit {run.returncode}\n{out[-4000:]}\n{run.stderr[-4000:]}"
        assert '"industry_code":"USHRM2600001"' in out.replace(" ", ""), out[-4000:]
        assert '"state": "ready"' in out and "206 audio/ogg; codecs=opus 100000 bytes" in out, out[-4000:]
        assert "#EXTM3U" in out and "sig=" in out, out[-4000:]
        assert '"counted":true' in out.replace(" ", ""), out[-4000:]
        assert '"published"' in out, out[-4000:]
        assert "49000000" in out, out[-4000:]
        assert "PASS" in out and "FAIL" not in out, out[-4000:]
    finally:
        stack.send_signal(signal.SIGTERM)
        stack.wait(60)
