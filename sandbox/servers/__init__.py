"""The sandbox servers: a world served over Zuora's and Salesforce's APIs and CustomersDot's PostgreSQL on loopback."""

from __future__ import annotations

import dataclasses
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from sandbox.servers.customersdot import CustomersDotDatabase
from sandbox.servers.faults import Fault, FaultProfile, JobFault
from sandbox.servers.files import ResultFiles
from sandbox.servers.http import SandboxHTTPServer
from sandbox.servers.postgres import PostgresServer
from sandbox.servers.salesforce import SalesforceService
from sandbox.servers.service import Service
from sandbox.servers.store import WorldStore
from sandbox.servers.tls import throwaway_tls
from sandbox.servers.zuora import ZuoraService
from sandbox.world import read_manifest

__all__ = ["Fault", "FaultProfile", "JobFault", "PostgresServer", "SandboxEndpoints", "SandboxServers", "serve_forever"]


@dataclass(frozen=True)
class SandboxEndpoints:
    """Where the running sandbox servers listen and the throw-away credentials they accept."""

    zuora_url: str
    zuora_client_id: str
    zuora_client_secret: str
    salesforce_instance_url: str
    salesforce_session_id: str
    salesforce_consumer_key: str
    salesforce_consumer_secret: str
    salesforce_ca_bundle: Path
    customersdot_database_url: str
    customersdot_password: str


class SandboxServers:
    """The three sandbox servers over one world, started and stopped together (also a context manager).

    Time is what `clock` tells: Zuora tokens expire `token_ttl` seconds after their issue, query locators of
    both after `locator_ttl` idle seconds, and a Salesforce Bulk API 2.0 query job completes
    `salesforce_job_seconds` after its creation;
    a Zuora Data Query job `zuora_job_seconds` after (once its statement has run), at most
    `zuora_max_running_jobs` at once, its result URLs valid for `zuora_result_url_ttl` seconds; the tables its
    statements run over are built in the background when a world is loaded (`zuora_data_query_at_load`, so
    that the first job does not wait for them; `wait_until_ready` waits for them), else on the first job.
    CustomersDot is a database of its own on `postgres` when given, else on `shared_postgres` when set (a
    server shared by several sandboxes, left running at stop), else on a PostgreSQL server started here on
    `customersdot_port` and stopped at stop.
    """

    shared_postgres: PostgresServer | None = None

    def __init__(
        self,
        world: Path,
        faults: FaultProfile | None = None,
        host: str = "127.0.0.1",
        *,
        zuora_port: int = 0,
        salesforce_port: int = 0,
        customersdot_port: int = 0,
        token_ttl: float = 3599.0,
        locator_ttl: float = 900.0,
        salesforce_api_limit: int = 5000,
        salesforce_job_seconds: float = 0.2,
        clock: Callable[[], float] = time.monotonic,
        zuora_job_seconds: float = 0.2,
        zuora_result_url_ttl: float = 600.0,
        zuora_max_running_jobs: int = 10,
        zuora_data_query_at_load: bool = True,
        postgres: PostgresServer | None = None,
    ) -> None:
        self.world = Path(world)
        self.faults = faults
        self.host = host
        self.ports = {"zuora": zuora_port, "salesforce": salesforce_port, "customersdot": customersdot_port}
        self.token_ttl = token_ttl
        self.locator_ttl = locator_ttl
        self.salesforce_api_limit = salesforce_api_limit
        self.salesforce_job_seconds = salesforce_job_seconds
        self.clock = clock
        self.zuora_job_seconds = zuora_job_seconds
        self.zuora_result_url_ttl = zuora_result_url_ttl
        self.zuora_max_running_jobs = zuora_max_running_jobs
        self.zuora_data_query_at_load = zuora_data_query_at_load
        self._store: WorldStore | None = None
        self._files: ResultFiles | None = None
        self.postgres = postgres
        self._own_postgres: PostgresServer | None = None
        self._database: CustomersDotDatabase | None = None
        self._services: dict[str, Service] = {}
        self._servers: list[SandboxHTTPServer] = []
        self._endpoints: SandboxEndpoints | None = None
        self._stopping = threading.Event()
        self._tempdir: tempfile.TemporaryDirectory[str] | None = None

    @property
    def endpoints(self) -> SandboxEndpoints:
        """The URLs and credentials of the running servers."""
        if self._endpoints is None:
            raise RuntimeError("the sandbox servers are not running")
        return self._endpoints

    def start(self) -> SandboxEndpoints:
        """Load the world, bind the three servers and Zuora's result file host, and serve in background threads."""
        if self._endpoints is not None:
            raise RuntimeError("the sandbox servers are already running")
        store = self._store = WorldStore(self.world)
        self._stopping = threading.Event()
        self._tempdir = tempfile.TemporaryDirectory(prefix="lnr-sandbox-")
        tls, bundle = throwaway_tls(("127.0.0.1", "localhost", self.host), Path(self._tempdir.name))
        files = self._files = ResultFiles(Path(self._tempdir.name) / "results", self.zuora_result_url_ttl)
        zuora = ZuoraService(
            store,
            self.faults,
            self._stopping,
            files=files,
            token_ttl=self.token_ttl,
            locator_ttl=self.locator_ttl,
            job_seconds=self.zuora_job_seconds,
            max_running_jobs=self.zuora_max_running_jobs,
            clock=self.clock,
            build_data_query_at_load=self.zuora_data_query_at_load,
        )
        salesforce = SalesforceService(
            store,
            self.faults,
            self._stopping,
            locator_ttl=self.locator_ttl,
            api_limit=self.salesforce_api_limit,
            job_seconds=self.salesforce_job_seconds,
            clock=self.clock,
        )
        try:
            for service in (zuora, salesforce):
                server = SandboxHTTPServer(
                    self.host,
                    self.ports[service.system],
                    service.respond,
                    tls if service is salesforce else None,
                )
                service.base_url = server.base_url
                self._servers.append(server)
                self._services[service.system] = service
            file_host = SandboxHTTPServer(self.host, 0, files.respond)
            files.base_url = file_host.base_url
            self._servers.append(file_host)
            self._start_database()
        except BaseException:
            self.stop()
            raise
        for server in self._servers:
            server.start()
        database = self._database
        assert database is not None
        self._endpoints = SandboxEndpoints(
            zuora_url=zuora.base_url,
            zuora_client_id=zuora.client_id,
            zuora_client_secret=zuora.client_secret,
            salesforce_instance_url=salesforce.base_url.removeprefix("https://"),
            salesforce_session_id=salesforce.session_id,
            salesforce_consumer_key=salesforce.consumer_key,
            salesforce_consumer_secret=salesforce.consumer_secret,
            salesforce_ca_bundle=bundle,
            customersdot_database_url=database.url,
            customersdot_password=database.password,
        )
        return self._endpoints

    def stop(self) -> None:
        """Stop serving, close open connections, release the ports and delete the throw-away CA."""
        self._stopping.set()
        for server in self._servers:
            server.stop()
        self._servers = []
        self._services = {}
        self._endpoints = None
        self._store = self._files = None
        if self._database is not None:
            self._database.drop()
            self._database = None
        if self._own_postgres is not None:
            self._own_postgres.stop()
            self._own_postgres = None
        if self._tempdir is not None:
            self._tempdir.cleanup()
            self._tempdir = None

    def load_world(self, world: Path) -> None:
        """Serve another world from now on (from the next start when not running).

        The records the new world lacks are kept as deleted, for the APIs that read deleted records.
        """
        store = WorldStore(world, previous=self._store) if self._services else None
        self.world = Path(world)
        if store is not None:
            self._store = store
            for service in self._services.values():
                service.load(store)
        if self._database is not None:
            self._database.load(self.world)

    def wait_until_ready(self, timeout: float | None = None) -> bool:
        """Wait until the world loaded last is ready to serve every API (Zuora's Data Query tables built);
        whether it is."""
        zuora = self._services.get("zuora")
        return zuora is None or zuora.jobs.wait_ready(timeout)

    def request_counts(self) -> dict[str, int]:
        """The number of HTTP requests each HTTP system (Zuora, Salesforce) has served since the start."""
        return {system: service.requests for system, service in self._services.items()}

    def result_file_requests(self) -> int:
        """The number of requests Zuora's result file host has served since the start."""
        return self._files.requests if self._files is not None else 0

    def zuora_track_ids(self) -> dict[str | None, int]:
        """How many requests the Zuora server has served per `Zuora-Track-Id` (None: without one)."""
        service = self._services.get("zuora")
        return dict(service.track_ids) if isinstance(service, ZuoraService) else {}

    def _start_database(self) -> None:
        """Create the world's CustomersDot database, on the given or shared PostgreSQL server or on one of its own."""
        server = self.postgres or SandboxServers.shared_postgres
        if server is None:
            self._own_postgres = server = PostgresServer(self.host, self.ports["customersdot"]).start()
        self._database = CustomersDotDatabase(server, self.faults)
        self._database.create(self.world)

    def __enter__(self) -> SandboxServers:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


def serve_forever(
    world: Path,
    faults: FaultProfile | None = None,
    *,
    host: str = "127.0.0.1",
    zuora_port: int = 0,
    salesforce_port: int = 0,
    customersdot_port: int = 0,
    until: threading.Event | None = None,
) -> None:
    """Serve `world`, print its URLs and throw-away credentials, block until Ctrl-C (or `until` is set)."""
    servers = SandboxServers(
        world,
        faults,
        host,
        zuora_port=zuora_port,
        salesforce_port=salesforce_port,
        customersdot_port=customersdot_port,
    )
    with servers:
        print(f"Serving the world {servers.world} (as of {read_manifest(servers.world).as_of}):")
        for field in dataclasses.fields(servers.endpoints):
            print(f"  {field.name:<27} {getattr(servers.endpoints, field.name)}")
        print("Press Ctrl-C to stop.", flush=True)
        try:
            (until or threading.Event()).wait()
        except KeyboardInterrupt:
            pass
