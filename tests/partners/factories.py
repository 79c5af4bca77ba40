"""Partner test data: a real HTTP receiver, webhook endpoints, and chain events as the indexer writes them."""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from indexer.models import ChainEvent, IndexedBlock
from indexer.store import save_checkpoint
from partners import service

CHAIN_ID = 31337
ACCOUNT = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Records every POST; answers with the queued status codes, then 200."""

    url: str
    requests: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)


@contextmanager
def http_receiver() -> Iterator[Receiver]:
    receiver = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.requests.append(Received({k.lower(): v for k, v in self.headers.items()}, body))
            status = receiver.statuses.pop(0) if receiver.statuses else 200
            answer = b"ok" if status < 300 else b"receiver exploded: " + b"x" * 2000
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


def block_hash(number: int, fork: str = "") -> bytes:
    return hashlib.sha256(f"block-{number}{fork}".encode()).digest()


def add_block(session: Session, number: int, fork: str = "", *, final: bool = False) -> bytes:
    """The indexer's record of block `number` (replacing a previous one there) and its checkpoint."""
    digest = block_hash(number, fork)
    session.execute(delete(IndexedBlock).where(IndexedBlock.chain_id == CHAIN_ID, IndexedBlock.number == number))
    session.execute(insert(IndexedBlock).values(chain_id=CHAIN_ID, number=number, hash=digest,
                                                parent_hash=block_hash(number - 1), timestamp=1_700_000_000 + number,
                                                final=final))
    save_checkpoint(session, CHAIN_ID, number, digest)
    return digest


def add_event(session: Session, number: int, log_index: int, contract: str, event: str, args: dict,
              fork: str = "") -> ChainEvent:
    row = ChainEvent(chain_id=CHAIN_ID, block_hash=block_hash(number, fork), log_index=log_index, block_number=number,
                     tx_hash=hashlib.sha256(f"tx-{number}-{log_index}{fork}".encode()).digest(), tx_index=0,
                     address=ACCOUNT, contract=contract, event=event, args=args)
    session.add(row)
    session.flush()
    return row


def registered(asset_id: int) -> dict:
    return {"assetId": asset_id, "kind": 0, "controller": ACCOUNT, "industryCode": "0x" + b"T0000000001\0".hex(),
            "contentHash": "0x" + "00" * 32, "workIds": [], "metadataURI": f"ipfs://work-{asset_id}"}


def published(period_id: int) -> dict:
    return {"periodId": period_id, "root": "0x" + "11" * 32, "previousRoot": "0x" + "00" * 32,
            "cumulativeTotal": 10**30 + 7, "funded": 10**30 + 7, "statementHash": "0x" + "22" * 32,
            "statementURI": f"ipfs://statement-{period_id}"}


def endpoint(sessions: sessionmaker[Session], user_id: uuid.UUID, url: str,
             events: tuple[str, ...] = ("asset.registered", "split.changed", "payout.published"),
             ) -> service.RegisteredEndpoint:
    with sessions.begin() as session:
        return service.register_endpoint(session, user_id, url, list(events), public_only=False)
