"""Named points where a test may kill the process outright, to prove that a flow resumes where it stopped.

`HARMONI_FAILPOINTS=close:computed,publish:sent` makes the process SIGKILL itself on reaching either point;
unset (always, outside tests) a failpoint does nothing.
"""

from __future__ import annotations

import os
import signal


def failpoint(name: str) -> None:
    if name in os.environ.get("HARMONI_FAILPOINTS", "").split(","):
        os.kill(os.getpid(), signal.SIGKILL)
