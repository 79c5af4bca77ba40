"""harmoni.processes: `in_forks` with real forked children, and `die_with_parent` with real parent deaths."""

from __future__ import annotations

import contextlib
import ctypes
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Callable

import pytest

from harmoni import processes
from harmoni.processes import ForkedTaskFailed, die_with_parent, in_forks

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="forking and PR_SET_PDEATHSIG: Linux only")


@pytest.fixture(autouse=True)
def forking_allowed(monkeypatch):
    """Earlier tests leave idle threads in this process (AnyIO workers, portals), so `in_forks` would not fork:
    these tests are about forking, so it is told there are none (the last test checks the real answer)."""
    monkeypatch.setattr(processes, "other_threads", lambda: False)

_PR_SET_CHILD_SUBREAPER = 36


class TaskError(Exception):
    """Picklable by reference (a module-level class), with more than one argument."""


class NeedsKeyword(Exception):
    """Pickles, but does not unpickle: unpickling calls NeedsKeyword(*args) without the keyword."""

    def __init__(self, *, code: int) -> None:
        super().__init__(f"code {code}")


class HoldsLock(Exception):
    """Does not pickle at all: its __dict__ holds a lock."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.lock = threading.Lock()


def open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


def read_line(fd: int, timeout: float = 5.0) -> bytes:
    """One newline-ended line from `fd`, or AssertionError after `timeout` seconds."""
    data = b""
    deadline = time.monotonic() + timeout
    while not data.endswith(b"\n"):
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        assert ready, f"nothing read within {timeout} s (so far {data!r})"
        chunk = os.read(fd, 1)
        assert chunk, f"pipe closed after {data!r}"
        data += chunk
    return data[:-1]


def assert_reaped(pid: int) -> None:
    """`pid` was a child of this process and has been waited for: it is neither running nor a zombie."""
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def write_pid_then_sleep(fd: int) -> Callable[[], None]:
    def task() -> None:
        os.write(fd, b"%d\n" % os.getpid())
        time.sleep(30)
    return task


# -- running inline ----------------------------------------------------------------------------------------------


def test_linux_forks():
    assert processes.CAN_FORK


def test_fewer_than_two_tasks_run_here():
    assert in_forks() == []

    seen: list[int] = []
    assert in_forks(lambda: seen.append(os.getpid()) or "done") == ["done"]
    assert seen == [os.getpid()]  # the write happened in this process

    class LocalError(Exception):  # a forked child could not send this class back: it is not importable
        pass

    def fails() -> None:
        raise LocalError("raised inline")

    with pytest.raises(LocalError, match="raised inline"):
        in_forks(fails)


# -- results -----------------------------------------------------------------------------------------------------


def test_results_come_in_order_each_computed_in_its_own_child_at_the_same_time():
    parent = os.getpid()
    started_r, started_w = os.pipe()
    try:
        def first():
            # Each child says it started; if the children only ran after this task, this would time out.
            return "first", os.getpid(), [int(read_line(started_r)) for _ in range(3)]

        def child(label: str):
            def task():
                os.write(started_w, b"%d\n" % os.getpid())
                return label, os.getpid(), os.getppid()
            return task

        fds_before = open_fds()
        results = in_forks(first, child("a"), child("b"), child("c"))
        assert open_fds() == fds_before  # every result pipe was closed
    finally:
        os.close(started_r)
        os.close(started_w)

    assert [r[0] for r in results] == ["first", "a", "b", "c"]
    assert results[0][1] == parent
    child_pids = [pid for _, pid, _ in results[1:]]
    assert len(set(child_pids)) == 3 and parent not in child_pids
    assert sorted(results[0][2]) == sorted(child_pids)
    assert [ppid for _, _, ppid in results[1:]] == [parent] * 3
    for pid in child_pids:
        assert_reaped(pid)


def test_large_results_come_back_intact():
    big = os.urandom(30 * 1024 * 1024)

    results = in_forks(lambda: len(big), lambda: big, lambda: big[::-1])

    assert results[0] == len(big)
    assert type(results[1]) is bytes and results[1] == big and results[1] is not big
    assert results[2] == big[::-1]


def test_children_see_memory_as_of_the_fork_and_their_writes_stay_theirs():
    shared = {"n": 0}
    buffer = bytearray(b"parent")
    lock = threading.Lock()  # unpicklable, like the task lambdas: nothing is pickled on the way in

    def first():
        shared["n"] += 1
        return shared["n"]

    def child():
        shared["n"] += 100
        buffer[:] = b"child!"
        return shared["n"], bytes(buffer), lock.locked()

    assert in_forks(first, child, child) == [1, (100, b"child!", False), (100, b"child!", False)]
    assert shared == {"n": 1}  # only the first task's write, made in this process, is kept
    assert buffer == b"parent"


# -- errors ------------------------------------------------------------------------------------------------------


def test_an_exception_in_a_child_is_raised_here():
    def fails():
        raise TaskError("bad value", 7)

    with pytest.raises(TaskError) as info:
        in_forks(lambda: "fine", fails)
    assert info.value.args == ("bad value", 7)

    with pytest.raises(KeyError, match="missing"):
        in_forks(lambda: None, lambda: {}["missing"])

    def exits():
        raise SystemExit(5)  # a BaseException, not an Exception, also travels back

    with pytest.raises(SystemExit) as exited:
        in_forks(lambda: None, exits)
    assert exited.value.code == 5


def _raise_needs_keyword():
    raise NeedsKeyword(code=7)


def _raise_holds_lock():
    raise HoldsLock("lock inside")


def _raise_local_class():
    class LocalError(Exception):
        pass

    raise LocalError("from a local class")


@pytest.mark.parametrize(("task", "text"), [
    (_raise_needs_keyword, "NeedsKeyword: code 7"),  # pickles, does not unpickle
    (_raise_holds_lock, "HoldsLock: lock inside"),  # does not pickle
    (_raise_local_class, "LocalError: from a local class"),  # its class cannot be found by name
])
def test_an_exception_that_cannot_travel_comes_back_as_its_text(task, text):
    with pytest.raises(ForkedTaskFailed) as info:
        in_forks(lambda: None, task)
    assert str(info.value) == text


def test_a_result_that_cannot_be_pickled_is_an_error_here():
    with pytest.raises(TypeError, match="pickle"):
        in_forks(lambda: None, threading.Lock)


@pytest.mark.parametrize(("die", "status"), [
    (lambda: os._exit(3), 3 << 8),
    (lambda: os.kill(os.getpid(), signal.SIGKILL), signal.SIGKILL),
], ids=["exit", "sigkill"])
def test_a_child_that_dies_without_a_result_is_forked_task_failed(die, status):
    fds_before = open_fds()
    with pytest.raises(ForkedTaskFailed, match=f"ended without a whole result \\(wait status {status}\\)"):
        in_forks(lambda: "fine", die)
    assert open_fds() == fds_before


def test_the_first_error_wins():
    def first_fails():
        raise TaskError("first")

    def second_fails():
        raise TaskError("second")

    def third_fails():
        raise TaskError("third")

    with pytest.raises(TaskError, match="first"):
        in_forks(first_fails, second_fails)
    with pytest.raises(TaskError, match="second"):
        in_forks(lambda: None, second_fails, third_fails)


def _clean_up(pids_r: int, pids_w: int, seen: list[int]) -> None:
    """Close the pid pipe and kill whatever child is still there (after a failed assertion)."""
    os.close(pids_r)
    os.close(pids_w)
    for pid in seen:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def test_children_are_killed_and_reaped_when_the_first_task_raises():
    pids_r, pids_w = os.pipe()
    seen: list[int] = []
    try:
        def first():
            seen.extend(int(read_line(pids_r)) for _ in range(2))  # both children are running
            raise TaskError("first task failed")

        fds_before = open_fds()
        started = time.monotonic()
        with pytest.raises(TaskError, match="first task failed"):
            in_forks(first, write_pid_then_sleep(pids_w), write_pid_then_sleep(pids_w))
        assert time.monotonic() - started < 5  # killed, not waited for (they sleep 30 s)
        assert open_fds() == fds_before
        for pid in seen:
            assert_reaped(pid)
    finally:
        _clean_up(pids_r, pids_w, seen)


def test_other_children_are_killed_and_reaped_when_one_child_raises():
    pids_r, pids_w = os.pipe()
    seen: list[int] = []
    try:
        def first():
            seen.append(int(read_line(pids_r)))  # the sleeping child is running

        def fails():
            raise TaskError("child failed")

        started = time.monotonic()
        with pytest.raises(TaskError, match="child failed"):
            in_forks(first, fails, write_pid_then_sleep(pids_w))
        assert time.monotonic() - started < 5
        assert_reaped(seen[0])
    finally:
        _clean_up(pids_r, pids_w, seen)


# -- dying with the parent -----------------------------------------------------------------------------------------
#
# The test process forks a subreaper S, S forks a middle process M, and M starts the grandchild G (directly or as an
# in_forks child). Once G has told S its pid, S kills M: G is re-parented to S, so S can wait for G and report how
# it ended. Making S (not the test process) the subreaper keeps orphans elsewhere away from pytest.


def _as_subreaper(start_middle: Callable[[int], None], watch: float) -> str:
    """Run the scenario above; `start_middle(fd)` runs in M and has G write its pid to `fd`. Returns what S saw:
    "signal N" or "exit N" for G's end within `watch` seconds of M's death, or "alive"."""
    report_r, report_w = os.pipe()
    subreaper = os.fork()
    if subreaper == 0:  # pragma: no cover - S
        outcome = b"error"
        try:
            libc = ctypes.CDLL("libc.so.6", use_errno=True)
            if libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
                outcome = b"no-subreaper"
            else:
                pids_r, pids_w = os.pipe()
                middle = os.fork()
                if middle == 0:  # M
                    try:
                        start_middle(pids_w)
                    finally:
                        os._exit(0)
                grandchild = int(read_line(pids_r))
                os.kill(middle, signal.SIGKILL)
                os.waitpid(middle, 0)
                deadline = time.monotonic() + watch
                outcome = b"alive"
                while time.monotonic() < deadline:
                    pid, status = os.waitpid(grandchild, os.WNOHANG)
                    if pid:
                        outcome = (b"signal %d" % os.WTERMSIG(status) if os.WIFSIGNALED(status)
                                   else b"exit %d" % os.WEXITSTATUS(status))
                        break
                    time.sleep(0.01)
                else:
                    os.kill(grandchild, signal.SIGKILL)
                    os.waitpid(grandchild, 0)
        except BaseException as err:
            outcome = f"error {type(err).__name__}: {err}".encode()
        finally:
            with contextlib.suppress(BaseException):
                os.write(report_w, outcome.replace(b"\n", b" ") + b"\n")
            os._exit(0)
    os.close(report_w)
    try:
        outcome = read_line(report_r, timeout=10).decode()
    finally:
        os.close(report_r)
        os.waitpid(subreaper, 0)
    if outcome == "no-subreaper":
        pytest.skip("this kernel refuses PR_SET_CHILD_SUBREAPER")
    return outcome


def _grandchild(sig: int | None) -> Callable[[int], None]:
    def start_middle(pids_w: int) -> None:  # pragma: no cover - runs in M
        if os.fork() == 0:  # G
            try:
                if sig is not None:
                    die_with_parent(sig)
                os.write(pids_w, b"%d\n" % os.getpid())  # only once the death signal is set
                time.sleep(30)
            finally:
                os._exit(0)
        time.sleep(30)
    return start_middle


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_child_that_called_die_with_parent_gets_the_signal_when_its_parent_dies(sig):
    assert _as_subreaper(_grandchild(sig), watch=5) == f"signal {sig}"


def test_without_die_with_parent_the_child_outlives_its_parent():
    assert _as_subreaper(_grandchild(None), watch=0.3) == "alive"


def test_an_in_forks_child_dies_with_its_parent():
    def start_middle(pids_w: int) -> None:  # pragma: no cover - runs in M
        in_forks(lambda: time.sleep(30), write_pid_then_sleep(pids_w))

    assert _as_subreaper(start_middle, watch=5) == f"signal {signal.SIGKILL}"


def test_with_another_thread_alive_the_tasks_run_here_one_after_another(monkeypatch):
    """A fork copies only the calling thread: a lock the other one held would never be released in the child."""
    monkeypatch.undo()  # the real `other_threads`
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert processes.other_threads()
        assert in_forks(os.getpid, os.getpid, os.getpid) == [os.getpid()] * 3
    finally:
        release.set()
        other.join()
