"""Components report liveness here; `harmoni status` and /readyz read it back."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from harmoni.models import ComponentHeartbeat


def beat(session: Session, component: str, details: dict | None = None) -> None:
    stmt = insert(ComponentHeartbeat).values(component=component, pid=os.getpid(), details=details or {})
    session.execute(stmt.on_conflict_do_update(
        index_elements=[ComponentHeartbeat.component],
        set_={"pid": stmt.excluded.pid, "details": stmt.excluded.details, "beat_at": stmt.excluded.beat_at}))


def recent(session: Session, within: timedelta) -> dict[str, ComponentHeartbeat]:
    """Heartbeats newer than `within`, by component."""
    since = datetime.now(UTC) - within
    rows = session.execute(select(ComponentHeartbeat).where(ComponentHeartbeat.beat_at >= since)).scalars()
    return {row.component: row for row in rows}
