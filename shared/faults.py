"""Named crash points for the fault tests.

`ESAFETY_CRASH_AT=after_append_commit` makes a process SIGKILL itself at that point, the way
a power cut or OOM kill would, so tests can prove nothing is lost or doubled afterwards.
"""

from __future__ import annotations

import os
import signal


def crash_point(name: str) -> None:
    if os.environ.get("ESAFETY_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
