"""Watchdog of a sandbox PostgreSQL server: when its parent goes away, stop the server and remove its folder.

Run as `python pg_watchdog.py FOLDER` with stdin a pipe from the parent. End of input means the parent
has closed the pipe or died (even by SIGKILL): then the postmaster named in FOLDER/data/postmaster.pid is
stopped (immediate shutdown, then SIGKILL) and FOLDER is removed. Standard library only, so that it
starts fast and imports nothing of the project.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time
from pathlib import Path

GRACE_SECONDS = 10.0


def postmaster_pid(folder: Path) -> int | None:
    """The pid in the server's postmaster.pid, or None when the server is not running."""
    try:
        return int((folder / "data" / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return None


def alive(pid: int) -> bool:
    """Whether a process with this pid exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop(pid: int) -> None:
    """Immediate shutdown of the postmaster, SIGKILL if it does not go within the grace period."""
    for sig in (signal.SIGQUIT, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + GRACE_SECONDS
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if not alive(pid):
            return


def main(folder: Path) -> None:
    """Wait for the end of stdin, then clean up after the server."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.stdin.buffer.read()
    pid = postmaster_pid(folder)
    if pid is not None:
        stop(pid)
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
