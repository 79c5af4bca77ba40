"""The SIWE nonce is used up by one statement: of two concurrent verifications, exactly one wins."""

import secrets
import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from harmoni.db import get_engine
from identity import repository
from identity.models import SiweNonce


def test_only_one_of_two_concurrent_consumers_wins(database_url):
    engine = get_engine(database_url)
    value, now = secrets.token_hex(16), datetime.now(UTC)
    with Session(engine) as session, session.begin():
        session.add(SiweNonce(nonce=value, issued_at=now, expires_at=now + timedelta(minutes=10)))
    first, second = Session(engine), Session(engine)
    outcome: dict[str, bool] = {}
    try:
        assert repository.consume_nonce(first, value, now)  # holds the row lock until it commits
        racer = threading.Thread(target=lambda: outcome.setdefault("second", repository.consume_nonce(second, value,
                                                                                                       now)))
        racer.start()
        racer.join(0.3)
        assert racer.is_alive()  # waiting for the first transaction
        first.commit()
        racer.join(5)
        assert outcome == {"second": False}
    finally:
        first.close()
        second.rollback()
        second.close()
        with Session(engine) as session, session.begin():
            session.execute(delete(SiweNonce).where(SiweNonce.nonce == value))


def test_an_expired_nonce_is_not_consumed(db_session):
    now = datetime.now(UTC)
    db_session.add(SiweNonce(nonce="expired0nonce", issued_at=now - timedelta(hours=1), expires_at=now))
    db_session.flush()
    assert not repository.consume_nonce(db_session, "expired0nonce", now)
    assert db_session.get(SiweNonce, "expired0nonce").used_at is None
