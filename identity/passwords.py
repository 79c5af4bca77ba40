"""Password hashing with argon2id (argon2-cffi's RFC 9106 low-memory profile), a bounded number at a time.

Each hash takes ~64 MiB and tens of milliseconds of CPU; unbounded, a burst of sign-ins makes every one of them
slow (16 parallel logins took a real one to 1.85 s). At most `slots` run at once; the rest queue, and one that
waited `wait_s` is refused with 503 (`PasswordHashingBusy`) instead of piling up.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from identity.errors import PasswordHashingBusy

_hasher = PasswordHasher()  # argon2id, t=3, m=64 MiB, p=4
# Verified against when the email is unknown, so both failures take the same time.
_DUMMY_HASH = _hasher.hash("harmoni-dummy-password")


class _Slots:
    def __init__(self) -> None:
        self.configure(0, 10.0)

    def configure(self, slots: int, wait_s: float) -> None:
        """`slots` hashes at once (0: one per CPU); a caller waits at most `wait_s` for one."""
        self.size = slots or os.cpu_count() or 1
        self.wait_s = wait_s
        self._semaphore = threading.BoundedSemaphore(self.size)

    @contextmanager
    def slot(self) -> Iterator[None]:
        semaphore = self._semaphore
        if not semaphore.acquire(timeout=self.wait_s):
            raise PasswordHashingBusy("too many sign-ins at once; retry in a moment")
        try:
            yield
        finally:
            semaphore.release()


slots = _Slots()


def hash_password(password: str) -> str:
    with slots.slot():
        return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; a missing hash (wallet-only account) costs the same and is False."""
    with slots.slot():
        try:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False


def needs_rehash(password_hash: str) -> bool:
    """The hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)
