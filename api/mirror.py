"""Answers from the mirror say which indexed block they reflect, in a header and in the body."""

from __future__ import annotations

from fastapi import Response
from pydantic import BaseModel, Field
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from harmoni.errors import ServiceUnavailable
from indexer.store import load_checkpoint

BLOCK_HEADER = "X-Harmoni-Block"
BLOCK_HASH_HEADER = "X-Harmoni-Block-Hash"


class ReflectedBlock(BaseModel):
    number: int = Field(description="Last block the mirror has indexed")
    hash: str = Field(description="Its hash (0x hex)")


def reflected_block(session: Session, response: Response, chain_id: int) -> ReflectedBlock:
    """Pin one snapshot for the rest of the request, then report the block it reflects.

    REPEATABLE READ makes the checkpoint and every later query of the request see the same commit,
    so the block named is exactly the one the data reflects.
    """
    if not session.in_transaction() and isinstance(session.get_bind(), Engine):
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    # else: joined to an outer transaction (tests, nested use), whose snapshot rules apply.
    checkpoint = load_checkpoint(session, chain_id)
    if checkpoint is None:
        raise ServiceUnavailable("the ledger mirror has not indexed any block yet; retry shortly",
                                 failing=["indexer"])
    block = ReflectedBlock(number=checkpoint.block_number, hash="0x" + checkpoint.block_hash.hex())
    response.headers[BLOCK_HEADER] = str(block.number)
    response.headers[BLOCK_HASH_HEADER] = block.hash
    return block
