"""Deployment records: `deployments/<chainId>.json` for public chains, the data directory for local ones."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from chain.toolchain import REPO_ROOT
from chain.wallets import LOCAL_CHAIN_IDS

PUBLIC_DEPLOYMENTS_DIR = REPO_ROOT / "deployments"


@dataclass(frozen=True)
class DeployedContract:
    address: str
    block_number: int
    tx_hash: str
    bytecode_hash: str


@dataclass(frozen=True)
class Deployment:
    chain_id: int
    deployer: str
    compiler_version: str
    compiler_settings: dict
    contracts: dict[str, DeployedContract]
    roles: dict[str, list[str]] = field(default_factory=dict)  # role name -> grantees
    payout_token: str = ""

    def address(self, name: str) -> str:
        return self.contracts[name].address

    @property
    def start_block(self) -> int:
        return min(c.block_number for c in self.contracts.values())

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Deployment:
        data = json.loads(text)
        data["contracts"] = {name: DeployedContract(**c) for name, c in data["contracts"].items()}
        # Records written before roles could have several grantees name one address per role.
        data["roles"] = {role: [g] if isinstance(g, str) else g for role, g in data.get("roles", {}).items()}
        return cls(**data)


def record_path(chain_id: int, data_dir: Path) -> Path:
    base = data_dir / "deployments" if chain_id in LOCAL_CHAIN_IDS else PUBLIC_DEPLOYMENTS_DIR
    return base / f"{chain_id}.json"


def load(chain_id: int, data_dir: Path) -> Deployment | None:
    path = record_path(chain_id, data_dir)
    if not path.exists():
        return None
    return Deployment.from_json(path.read_text())


def save(deployment: Deployment, data_dir: Path) -> Path:
    path = record_path(deployment.chain_id, data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(deployment.to_json())
    tmp.replace(path)  # atomic: a crash never leaves half a record
    return path
