"""Run the real Dagster webserver as a subprocess for UI tests."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

from tests.ui.browser import stop_process_group

INSTANCE_CONFIG = "telemetry:\n  enabled: false\nnux:\n  enabled: false\n"
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_instance_config(dagster_home: Path) -> None:
    """Write a dagster.yaml that turns off telemetry and the UI's welcome dialog (nux)."""
    Path(dagster_home).mkdir(parents=True, exist_ok=True)
    (Path(dagster_home) / "dagster.yaml").write_text(INSTANCE_CONFIG)


@contextlib.contextmanager
def dagster_webserver(
    workspace: Path,
    dagster_home: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = 90,
) -> Iterator[str]:
    """Serve `workspace` with `dagster_home`'s instance on 127.0.0.1; yields the base URL, stops on exit.

    A dagster_home without dagster.yaml gets the one of `write_instance_config`.
    """
    if not (Path(dagster_home) / "dagster.yaml").exists():
        write_instance_config(dagster_home)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = Path(dagster_home) / "webserver.log"
    command = [sys.executable, "-m", "dagster_webserver", "-w", str(workspace), "-h", "127.0.0.1", "-p", str(port)]
    environment = {**os.environ, **(env or {}), "DAGSTER_HOME": str(dagster_home)}
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            cwd=Path(workspace).parent,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        _wait_until_up(base_url, process, log_path, timeout)
        yield base_url
    finally:
        stop_process_group(process)


def _wait_until_up(base_url: str, process: subprocess.Popen[bytes], log_path: Path, timeout: float) -> None:
    """Poll GET /server_info until it answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        with contextlib.suppress(OSError):
            with _opener.open(f"{base_url}/server_info", timeout=2) as response:
                if response.status == 200:
                    return
        time.sleep(0.25)
    log = log_path.read_text(errors="replace")[-3000:]
    state = f"exited with {process.returncode}" if process.poll() is not None else f"not up after {timeout}s"
    raise RuntimeError(f"Dagster webserver {state}:\n{log}")
