"""The throw-away PostgreSQL server: started unprivileged, stopped and removed, never left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sandbox.servers import PostgresServer

KILLED_PARENT = """
import sys
from sandbox.servers.postgres import PostgresServer
server = PostgresServer().start()
print(server.socket_dir, server._process.pid, flush=True)
sys.stdin.read()
"""


def alive(pid: int) -> bool:
    """Whether a process exists (a zombie counts as gone)."""
    try:
        return "Z" not in Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False


@pytest.mark.slow
def test_the_server_runs_unprivileged_and_stop_removes_everything() -> None:
    server = PostgresServer().start()
    folder, pid = server.socket_dir, server._process.pid
    with server.connect() as con:
        assert con.execute("SELECT current_setting('listen_addresses')").fetchone() == ("127.0.0.1",)
    assert os.stat(f"/proc/{pid}").st_uid != 0
    server.stop()
    assert not folder.exists() and not alive(pid)


@pytest.mark.slow
def test_a_killed_parent_leaves_no_server_behind() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", KILLED_PARENT], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    folder, pid = parent.stdout.readline().split()
    assert alive(int(pid)) and Path(folder).exists()
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 20
    while (alive(int(pid)) or Path(folder).exists()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(int(pid)) and not Path(folder).exists()
