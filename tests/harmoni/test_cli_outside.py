"""The CLI run where there is no HARMONI data: one line on stderr, exit 2, and nothing created."""

import os
import subprocess
import sys

import pytest

COMMANDS = [["status"], ["audit", "verify", "--period", "1"], ["indexer", "status"], ["periods", "list"],
            ["users", "grant-role", "--email", "a@example.org", "--role", "admin"], ["wallets", "rotate-key"]]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_outside_a_checkout_every_command_says_so_in_one_line(tmp_path, command):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARMONI_")}
    run = subprocess.run([sys.executable, "-m", "harmoni.cli", *command], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, run.stdout + run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("harmoni: error: no HARMONI data in "), run.stderr
    assert "make run" in lines[0] and "HARMONI_DATA_DIR" in lines[0]
    assert list(tmp_path.iterdir()) == []  # no ./var, no stray files
