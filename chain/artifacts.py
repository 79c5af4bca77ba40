"""Contract build artifacts: compiled by forge through the npm-solc shim, read by everything else."""

from __future__ import annotations

import hashlib
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from chain.toolchain import REPO_ROOT, native_tool
from harmoni.errors import ConfigurationError

ARTIFACTS_DIR = Path(__file__).resolve().parent / "artifacts"
# A forge output and cache of our own, so `forge test` runs (sparse outputs) never disturb the build.
FORGE_OUT = ARTIFACTS_DIR / ".forge" / "out"
FORGE_CACHE = ARTIFACTS_DIR / ".forge" / "cache"

# Contracts the platform deploys, by source file (contracts/src/<file>) and contract name.
CONTRACT_SOURCES = {
    "RightsRegistry": "RightsRegistry.sol",
    "SplitVault": "SplitVault.sol",
    "PayoutDistributor": "PayoutDistributor.sol",
    "HarmoniEditions": "HarmoniEditions.sol",
    "DevStablecoin": "DevStablecoin.sol",
}


@dataclass(frozen=True)
class Artifact:
    name: str
    abi: list[dict]
    bytecode: str
    deployed_bytecode: str
    compiler_version: str
    compiler_settings: dict

    @property
    def bytecode_hash(self) -> str:
        return "0x" + hashlib.sha256(bytes.fromhex(self.bytecode.removeprefix("0x"))).hexdigest()


def build(out_dir: Path = ARTIFACTS_DIR) -> list[Path]:
    """Compile with forge and write one slim artifact per deployable contract."""
    forge = native_tool("forge")
    command = [str(forge), "build", "--skip", "test", "--skip", "script", "--out", str(FORGE_OUT),
               "--cache-path", str(FORGE_CACHE)]
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-20:]
        raise ConfigurationError("contract compilation failed:\n" + "\n".join(tail))
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, source in CONTRACT_SOURCES.items():
        forge_json = FORGE_OUT / source / f"{name}.json"
        if not forge_json.exists():
            raise ConfigurationError(f"forge produced no artifact for {name} ({forge_json})")
        data = json.loads(forge_json.read_text())
        metadata = data["metadata"]
        artifact = {
            "contractName": name,
            "abi": data["abi"],
            "bytecode": data["bytecode"]["object"],
            "deployedBytecode": data["deployedBytecode"]["object"],
            "compiler": {"version": metadata["compiler"]["version"], "settings": metadata["settings"]},
        }
        path = out_dir / f"{name}.json"
        path.write_text(json.dumps(artifact, indent=1, sort_keys=True))
        written.append(path)
    return written


def load(name: str, artifacts_dir: Path = ARTIFACTS_DIR) -> Artifact:
    path = artifacts_dir / f"{name}.json"
    if not path.exists():
        raise ConfigurationError(f"no build artifact for {name}: run `harmoni contracts build`")
    data = json.loads(path.read_text())
    return Artifact(name=name, abi=data["abi"], bytecode=data["bytecode"],
                    deployed_bytecode=data["deployedBytecode"],
                    compiler_version=data["compiler"]["version"], compiler_settings=data["compiler"]["settings"])


def ensure_built() -> None:
    """Build if any artifact is missing or older than a contract source."""
    sources = list((REPO_ROOT / "contracts" / "src").rglob("*.sol"))
    newest_source = max((p.stat().st_mtime for p in sources), default=0.0)
    paths = [ARTIFACTS_DIR / f"{name}.json" for name in CONTRACT_SOURCES]
    if all(p.exists() and p.stat().st_mtime >= newest_source for p in paths):
        return
    build()
