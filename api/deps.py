"""Reusable request dependencies: the request owns the transaction (one session, one commit)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from chain.client import ChainClient
from harmoni.settings import Settings


@dataclass
class AppContext:
    """What the app holds for its lifetime, built once in `create_app`."""

    settings: Settings
    sessions: sessionmaker[Session]
    chain: ChainClient


def get_context(request: Request) -> AppContext:
    return request.app.state.context


def get_session(request: Request) -> Iterator[Session]:
    session = get_context(request).sessions()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


ContextDep = Annotated[AppContext, Depends(get_context)]
SessionDep = Annotated[Session, Depends(get_session)]
