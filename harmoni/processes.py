"""Child processes: dying with the parent, and CPU-bound work spread over cores by forking.

`in_forks` runs a few independent, pure computations at once: every task but the first in a forked child, which
sees this process's memory as it was at the fork (copy-on-write: nothing is pickled on the way in), and sends its
result back pickled through a pipe. A child only computes and writes its pipe: it never touches the database
connections, files or locks it inherited, and leaves with `os._exit`, so nothing inherited is flushed or closed.
Where fork is not the platform's way (anything but Linux), the tasks simply run one after another.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

_PR_SET_PDEATHSIG = 1
CAN_FORK = sys.platform == "linux"


def die_with_parent(sig: int = signal.SIGTERM) -> None:
    """Have the kernel send `sig` to this process when its parent dies, even by SIGKILL (Linux; else nothing).

    Also a `preexec_fn` for subprocesses."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, sig)


def other_threads() -> bool:
    """Whether this process runs threads besides the calling one (then `in_forks` does not fork)."""
    return threading.active_count() > 1


class ForkedTaskFailed(RuntimeError):
    """A forked task raised something that cannot travel back (its text is kept), or its process died."""


def in_forks(*tasks: Callable[[], Any]) -> list[Any]:
    """The results of `tasks`, computed at once: the first here, each other one in a forked child.

    An exception from a task is raised here (the first task's first). Tasks must not write anything shared: a
    child's writes to memory are its own, and are lost with it. In a process with other threads (an API server,
    a job run in-process) the tasks run here one after another: a fork copies only the calling thread, and a lock
    another thread held at that moment would stay locked in the child for good."""
    if len(tasks) < 2 or not CAN_FORK or other_threads():
        return [task() for task in tasks]
    children: list[_Child] = []
    try:
        for task in tasks[1:]:
            children.append(_Child(task))
        results = [tasks[0]()]
        results.extend(child.result() for child in children)
        return results
    finally:
        for child in children:
            child.reap()


class _Child:
    def __init__(self, task: Callable[[], Any]) -> None:
        parent = os.getpid()
        read_end, write_end = os.pipe()
        try:
            self.pid = os.fork()
        except BaseException:
            os.close(read_end)
            os.close(write_end)
            raise
        if self.pid == 0:  # pragma: no cover - runs in the child, which ends in os._exit
            os.close(read_end)
            _run_child(task, write_end, parent)
        os.close(write_end)
        self._pipe = os.fdopen(read_end, "rb")
        self._received = False
        self._status: int | None = None

    def result(self) -> Any:
        try:
            ok, value = pickle.load(self._pipe)  # noqa: S301 - from our own child, through a pipe only it writes
        except (EOFError, pickle.UnpicklingError, ValueError, TypeError) as err:
            self.reap()
            raise ForkedTaskFailed(f"a forked task's process ended without a whole result (wait status "
                                   f"{self._status}): {err}") from None
        self._received = True
        self.reap()
        if not ok:
            raise value
        return value

    def reap(self) -> None:
        """Wait for the child, killing it first if its result was never read whole."""
        if self._status is not None:
            return
        self._pipe.close()
        if not self._received:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        try:
            _, self._status = os.waitpid(self.pid, 0)
        except ChildProcessError:  # reaped by someone else (a SIGCHLD handler)
            self._status = -1


def _run_child(task: Callable[[], Any], write_end: int, parent: int) -> None:  # pragma: no cover - child
    status = 1
    try:
        die_with_parent(signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the line above took effect
            os._exit(1)
        try:
            payload = pickle.dumps((True, task()), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as err:
            try:
                payload = pickle.dumps((False, err), protocol=pickle.HIGHEST_PROTOCOL)
                # some exceptions pickle but do not unpickle (required keyword arguments)
                pickle.loads(payload)  # noqa: S301 - our own bytes
            except Exception:
                payload = pickle.dumps((False, ForkedTaskFailed(f"{type(err).__name__}: {err}")))
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
        status = 0
    finally:
        os._exit(status)
