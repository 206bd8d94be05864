"""Production processes for browser scenarios: `scripts/start-production.sh` on a PostgreSQL database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

from core.config import PROJECT_ROOT
from tests import pg_server
from tests.browser.harness import ARTIFACTS, free_port

COOKIE_KEY = "cle-de-test-de-plus-de-trente-deux-caracteres"
USERNAME, PASSWORD, NAME = "marie.dupont", "un-vrai-secret-42", "Marie Dupont"
START_TIMEOUT_S = 90


def production_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "ANCRAGE_DATABASE_URL", "ANCRAGE_ENV", "ANCRAGE_COOKIE_KEY")
    }
    env.update(
        ANCRAGE_ENV="production",
        DATABASE_URL=database_url,
        ANCRAGE_COOKIE_KEY=COOKIE_KEY,
        ANCRAGE_BCRYPT_ROUNDS="4",
        **extra,
    )
    return env


def prepare_database(server_url: str, name: str) -> str:
    """A new database with the first coordination account, made by the operator's command."""
    url = pg_server.create_database(server_url, name)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "startup.first_account",
            "--username",
            USERNAME,
            "--email",
            "marie.dupont@exemple.fr",
            "--name",
            NAME,
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=production_env(url, ANCRAGE_FIRST_PASSWORD=PASSWORD),
    )
    assert result.returncode == 0, result.stderr
    return url


class ProductionApp:
    """One app process started by scripts/start-production.sh (same interface as harness.AppServer)."""

    def __init__(self, database_url: str, data_dir: Path, *, name: str, extra_args: list[str] | None = None) -> None:
        self.database_url, self.data_dir, self.name = database_url, data_dir, name
        self.extra_args = list(extra_args or [])
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log_path = ARTIFACTS / "logs" / f"production-{name}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ProductionApp:
        self.launch()
        self.wait()
        return self

    def launch(self) -> None:
        """Start the process without waiting (several processes then start together)."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = production_env(
            self.database_url,
            ANCRAGE_PORT=str(self.port),
            ANCRAGE_DATA_DIR=str(self.data_dir),
            ANCRAGE_SECRET_DIR=str(self.data_dir / "secret"),
        )
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                [
                    str(PROJECT_ROOT / "scripts" / "start-production.sh"),
                    "--server.fileWatcherType",
                    "none",
                    *self.extra_args,
                ],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def wait(self) -> None:
        wait_healthy(f"{self.url}/_stcore/health", self.process, self.log_tail)

    def kill(self) -> None:
        """As a crash would: SIGKILL, no goodbye to the browsers."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def wait_healthy(url: str, process: subprocess.Popen, log_tail, timeout_s: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process ended before serving:\n{log_tail()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"not healthy after {timeout_s} s:\n{log_tail()}")


NGINX = "/usr/sbin/nginx"


class Proxy:
    """nginx on a free port in front of `apps`, with the repository's proxy configuration."""

    def __init__(self, apps: list[ProductionApp], root: Path) -> None:
        self.apps, self.root = apps, root
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log_path = ARTIFACTS / "logs" / "nginx-error.log"
        self.access_log = root / "access.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def config(self) -> str:
        deployed = (PROJECT_ROOT / "deploy" / "nginx" / "ancrage.conf").read_text()
        # The deployed http-level part (map, log format), with this test's upstream and a plain HTTP server.
        http_part = deployed[: deployed.index("upstream ancrage")]
        servers = "\n".join(f"    server 127.0.0.1:{app.port} max_fails=1 fail_timeout=10s;" for app in self.apps)
        # One worker for the whole test: each browser session holds its websocket and fetches a page's
        # assets in parallel, twice counted (browser side and app side); at 256 connections thirty
        # sessions made nginx drop connections and no page ever settled.
        return f"""
worker_processes 1;
pid {self.root}/nginx.pid;
error_log {self.log_path} info;
events {{ worker_connections 4096; }}
http {{
    client_body_temp_path {self.root}/body;
    proxy_temp_path {self.root}/proxy;
    fastcgi_temp_path {self.root}/fastcgi;
    uwsgi_temp_path {self.root}/uwsgi;
    scgi_temp_path {self.root}/scgi;
{http_part}
    upstream ancrage {{
        ip_hash;
{servers}
    }}
    server {{
        listen 127.0.0.1:{self.port};
        access_log {self.access_log} ancrage;
        include {PROJECT_ROOT / "deploy" / "nginx" / "ancrage-proxy.conf"};
    }}
}}
"""

    def start(self) -> Proxy:
        self.root.mkdir(parents=True, exist_ok=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        conf = self.root / "nginx.conf"
        conf.write_text(self.config())
        check = subprocess.run([NGINX, "-t", "-p", str(self.root), "-c", str(conf)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        self.process = subprocess.Popen(
            [NGINX, "-p", str(self.root), "-c", str(conf), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_healthy(f"{self.url}/_stcore/health", self.process, self.log_tail)
        return self

    def _upstream_ports(self) -> list[int]:
        """The port of the app process that answered each logged request, in order (the last one
        tried when nginx moved on to another)."""
        if not self.access_log.exists():
            return []
        ports = []
        for line in self.access_log.read_text().splitlines():
            if "upstream=127.0.0.1:" in line:
                # « upstream=127.0.0.1:A, 127.0.0.1:B time=… » when the first one failed
                tried = line.split("upstream=", 1)[1].split(" time=", 1)[0]
                ports.append(int(tried.split(",")[-1].strip().rsplit(":", 1)[1]))
        return ports

    def last_upstream(self) -> int | None:
        """The port of the process that answered the latest request through the proxy (a WebSocket is
        only logged once closed, but the page's other requests go to the same process)."""
        ports = self._upstream_ports()
        return ports[-1] if ports else None

    def upstream_counts(self) -> dict[int, int]:
        """How many logged requests each app process (by port) answered."""
        return dict(Counter(self._upstream_ports()))

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""
