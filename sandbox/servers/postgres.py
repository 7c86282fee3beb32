"""A throw-away PostgreSQL server: Debian's binaries, a temporary data directory, loopback only, never orphaned.

PostgreSQL refuses to run as root, so when this process is root the server runs as the `postgres` system
user that Debian's package creates. A watchdog process (pg_watchdog.py) stops the server and removes its
directory when this process dies without stopping it, even by SIGKILL.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg

BINARY_DIRS = "/usr/lib/postgresql/*/bin"
SUPERUSER = "lnr_sandbox"
SERVER_USER = "postgres"
READY_SECONDS = 60.0
STOP_SECONDS = 15.0
SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "50",
    "shared_buffers": "32MB",
    "log_min_messages": "warning",
}


class PostgresUnavailable(RuntimeError):
    """PostgreSQL's server binaries are missing or the server would not start."""


def binary_dir() -> Path:
    """The newest `bin` folder of Debian's PostgreSQL server package."""
    found = [Path(p) for p in glob.glob(BINARY_DIRS) if (Path(p) / "initdb").is_file()]
    if not found:
        raise PostgresUnavailable(
            f"no PostgreSQL server binaries under {BINARY_DIRS}: install Debian's postgresql package "
            "(apt-get install postgresql, or `make postgresql`)"
        )
    return max(found, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)


def free_port(host: str) -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class PostgresServer:
    """One PostgreSQL server in a temporary directory on a loopback port; a context manager."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self.startup_seconds = 0.0
        self._bin = binary_dir()
        self._dir: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._watchdog: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        """Whether the server process is up."""
        return self._process is not None and self._process.poll() is None

    @property
    def socket_dir(self) -> Path:
        """The folder of the server's Unix socket (private to the server's user)."""
        if self._dir is None:
            raise RuntimeError("the PostgreSQL server is not running")
        return self._dir

    def start(self) -> PostgresServer:
        """Create the cluster and start the server; returns self once it accepts connections."""
        if self._dir is not None:
            raise RuntimeError("the PostgreSQL server is already running")
        started = time.monotonic()
        self._dir = Path(tempfile.mkdtemp(prefix="lnr-postgres-"))
        self._watchdog = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("pg_watchdog.py")), str(self._dir)],
            stdin=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            self._own_directory()
            self._run(
                [
                    str(self._bin / "initdb"),
                    "-D", str(self._data),
                    "-U", SUPERUSER,
                    "--auth-local=trust",
                    "--auth-host=scram-sha-256",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                    "--no-sync",
                    "--no-instructions",
                ]
            )
            self.port = self.port or free_port(self.host)
            self._launch()
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - started
        return self

    def restart(self) -> None:
        """Stop the server fast (its sessions are terminated) and start it again on the same port."""
        self._shutdown()
        self._launch()

    def stop(self) -> None:
        """Stop the server, remove its directory and release the watchdog."""
        if self._process is not None:
            self._shutdown()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
        if self._watchdog is not None:
            self._watchdog.communicate(timeout=STOP_SECONDS)
            self._watchdog = None

    def connect(self, dbname: str = "postgres", **options: Any) -> psycopg.Connection:
        """A superuser connection over the private Unix socket, in autocommit mode."""
        return psycopg.connect(
            host=str(self.socket_dir), port=self.port, user=SUPERUSER, dbname=dbname, autocommit=True, **options
        )

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"PostgresServer({self.host}:{self.port})"

    @property
    def _data(self) -> Path:
        return self.socket_dir / "data"

    def _own_directory(self) -> None:
        """Hand the directory to the server's user when this process is root."""
        if os.geteuid() == 0:
            account = pwd.getpwnam(SERVER_USER)
            os.chown(self.socket_dir, account.pw_uid, account.pw_gid)

    def _as_server_user(self) -> dict[str, Any]:
        """Popen options that drop root to the server's user (PostgreSQL refuses to run as root)."""
        if os.geteuid() != 0:
            return {}
        account = pwd.getpwnam(SERVER_USER)
        return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}

    def _run(self, command: list[str]) -> None:
        done = subprocess.run(command, capture_output=True, text=True, **self._as_server_user())
        if done.returncode != 0:
            raise PostgresUnavailable(f"{Path(command[0]).name} failed: {done.stderr.strip()[-500:]}")

    def _launch(self) -> None:
        """Start the postmaster and wait until it accepts connections."""
        command = [str(self._bin / "postgres"), "-D", str(self._data), "-p", str(self.port), "-k", str(self.socket_dir)]
        for name, value in {"listen_addresses": self.host, **SETTINGS}.items():
            command += ["-c", f"{name}={value}"]
        log = open(self.socket_dir / "server.log", "ab")  # noqa: SIM115 - handed to the child, closed below
        try:
            self._process = subprocess.Popen(
                command, stdout=log, stderr=log, start_new_session=True, **self._as_server_user()
            )
        finally:
            log.close()
        deadline = time.monotonic() + READY_SECONDS
        while True:
            if self._process.poll() is not None:
                tail = (self.socket_dir / "server.log").read_text(errors="replace")[-800:]
                self._process = None
                raise PostgresUnavailable(f"PostgreSQL exited at start: {tail.strip()}")
            try:
                self.connect(connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _shutdown(self) -> None:
        """Fast shutdown (SIGINT), then immediate (SIGQUIT) and SIGKILL if the server lingers."""
        process, self._process = self._process, None
        if process is None:
            return
        for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGKILL):
            if process.poll() is not None:
                return
            process.send_signal(sig)
            try:
                process.wait(timeout=STOP_SECONDS)
                return
            except subprocess.TimeoutExpired:
                continue
