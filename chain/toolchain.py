"""Where the Node-shipped Solidity toolchain lives: npm solc (through our shim), forge and anvil."""

from __future__ import annotations

import shutil
from pathlib import Path

from harmoni.errors import ConfigurationError

REPO_ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = REPO_ROOT / "node_modules"
SOLC_SHIM = REPO_ROOT / "contracts" / "bin" / "solc"


def native_tool(name: str) -> Path:
    """The real binary of a Foundry tool shipped by npm (`@foundry-rs/<name>-<platform>`).

    The binary is run directly, not through npm's node wrapper, so signals reach it.
    """
    if shutil.which("node") is None:
        raise ConfigurationError("Node.js is missing: install Node 20+ and run `make deps`")
    candidates = sorted(NODE_MODULES.glob(f"@foundry-rs/{name}-*/bin/{name}"))
    if not candidates:
        raise ConfigurationError(f"{name} is not installed in {NODE_MODULES}: run `make deps` (npm ci)")
    return candidates[0]


def solc_shim() -> Path:
    if shutil.which("node") is None:
        raise ConfigurationError("Node.js is missing: install Node 20+ and run `make deps`")
    if not (NODE_MODULES / "solc").is_dir():
        raise ConfigurationError(f"npm solc is not installed in {NODE_MODULES}: run `make deps` (npm ci)")
    return SOLC_SHIM
