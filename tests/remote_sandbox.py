"""The sandbox servers in a process of their own, as a production run talks to remote systems: the memory and CPU
of the servers are not the run's."""

from __future__ import annotations

import multiprocessing
import time
from multiprocessing.connection import Connection
from pathlib import Path
from types import TracebackType

from sandbox.servers import SandboxEndpoints

READY_TIMEOUT = 3600.0  # seconds a world of 100,000 customers may take to load and build its Data Query tables


def _serve(world: Path, commands: Connection) -> None:
    """Serve `world` until told to stop; on ("load", world) serve that world next (the previous kept as deleted).
    Each time the servers are ready, their endpoints and the CPU seconds it took them are sent back."""
    from checks.stopwatch import cpu_seconds
    from sandbox.servers import SandboxServers

    cpu = cpu_seconds()
    with SandboxServers(world) as servers:
        servers.wait_until_ready(READY_TIMEOUT)
        commands.send((servers.endpoints, cpu_seconds() - cpu))
        while (command := commands.recv())[0] == "load":
            cpu = cpu_seconds()
            servers.load_world(command[1])
            servers.wait_until_ready(READY_TIMEOUT)
            commands.send((servers.endpoints, cpu_seconds() - cpu))


class RemoteSandbox:
    """The sandbox servers of `world`, started in a spawned process (a context manager); `endpoints` tells where
    they listen, `readiness` the wall and CPU seconds their last start or world load took (the CPU theirs)."""

    def __init__(self, world: Path):
        self.world = world
        self._commands: Connection | None = None
        self._process: multiprocessing.process.BaseProcess | None = None
        self.endpoints: SandboxEndpoints | None = None
        self.readiness: dict[str, float] = {}

    def __enter__(self) -> RemoteSandbox:
        context = multiprocessing.get_context("spawn")
        self._commands, theirs = context.Pipe()
        self._process = context.Process(target=_serve, args=(self.world, theirs), name="sandbox-servers", daemon=True)
        self._process.start()
        self.endpoints = self._reply()
        return self

    def load_world(self, world: Path) -> SandboxEndpoints:
        """Serve `world` from now on, once it is ready."""
        assert self._commands is not None
        self._commands.send(("load", world))
        self.endpoints = self._reply()
        return self.endpoints

    def _reply(self) -> SandboxEndpoints:
        """The servers' endpoints once they are ready (their readiness recorded); RuntimeError when their process
        ended instead."""
        assert self._commands is not None and self._process is not None
        started = time.monotonic()
        while not self._commands.poll(1.0):
            if not self._process.is_alive():
                raise RuntimeError(f"the sandbox servers' process ended with status {self._process.exitcode}")
        endpoints, cpu = self._commands.recv()
        self.readiness = {"servers_seconds": time.monotonic() - started, "servers_cpu_seconds": cpu}
        return endpoints

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._commands is not None and self._process is not None:
            if self._process.is_alive():
                self._commands.send(("stop",))
            self._process.join(60)
            if self._process.is_alive():
                self._process.terminate()
                self._process.join()
            self._commands.close()
