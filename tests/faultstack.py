"""A whole Folio on components this process starts and breaks itself (issue 21.8): a PostgreSQL cluster
(``initdb``/``pg_ctl`` from ``/usr/lib/postgresql/*/bin``, a temporary directory, a free port), a Redis
(``redis-server --appendonly yes``, as in docker-compose.yml, on a free port), gunicorn serving the app,
a real Celery worker and Celery beat (the periodic sweep). ``SaveLoad`` fires API saves in a loop while a
fault runs and records every answer; ``FaultRun`` turns the records into the figures.

Used by ``tests/integration/test_pg_redis_faults.py`` (assertions) and ``bench/fault_bench.py``
(figures). Nothing here touches the test session's own database or Redis.

PostgreSQL refuses to run as root: when this process is root, every PostgreSQL command runs as the
``postgres`` system user (``runuser -u postgres``), which owns the cluster's directory.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]


class StackError(RuntimeError):
    """A component could not be started; the message says which and why (its log's tail)."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(predicate, timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def _tail(path: Path, size: int = 3000) -> str:
    with contextlib.suppress(OSError):
        return path.read_text(errors="replace")[-size:]
    return ""


class PgCluster:
    """A PostgreSQL cluster of its own in ``directory`` on a free port (trust authentication, fsync off)."""

    def __init__(self, directory: Path):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not bins:
            raise StackError("No PostgreSQL server binaries in /usr/lib/postgresql/*/bin (initdb, pg_ctl).")
        self.bin = Path(bins[-1]).parent
        self.directory = directory
        self.data = directory / "data"
        self.log = directory / "postgres.log"
        self.port = free_port()
        self.as_root = os.geteuid() == 0

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        command = list(args)
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if result.returncode:
            raise StackError(
                f"{' '.join(args[:2])} failed ({result.returncode}): {result.stderr[-2000:]}{_tail(self.log)}"
            )
        return result

    def _options(self) -> str:
        return (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.directory} "
            "-c fsync=off -c full_page_writes=off -c max_connections=60"
        )

    def init(self) -> None:
        """Create the cluster and start it; then create the ``folio`` database."""
        if self.as_root:
            shutil.chown(self.directory, user="postgres", group="postgres")
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--no-sync",
        )  # fmt: skip
        self.start()
        with psycopg.connect(self.url("postgres"), autocommit=True) as admin:
            admin.execute("CREATE DATABASE folio")

    def url(self, database: str = "folio") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _ctl(self, *args: str) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", *args)

    def start(self) -> None:
        self._ctl("-o", self._options(), "start")

    def restart(self) -> float:
        """``pg_ctl restart -m fast`` (every connection is cut); returns its duration in seconds."""
        began = time.monotonic()
        self._ctl("-m", "fast", "-o", self._options(), "restart")
        return time.monotonic() - began

    def stop(self) -> None:
        with contextlib.suppress(StackError, subprocess.TimeoutExpired):
            self._ctl("-m", "immediate", "stop")


class RedisServer:
    """``redis-server`` on a free port with its append-only file in ``directory`` (docker-compose.yml's
    setting), so that a stop and start keeps the queued messages, as a restarted Redis container does."""

    def __init__(self, directory: Path):
        if not shutil.which("redis-server"):
            raise StackError("redis-server is not installed.")
        self.directory = directory
        self.port = free_port()
        self.log = directory / "redis.log"
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _pong(self) -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
        return False

    def start(self) -> None:
        log = self.log.open("ab")
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory),
             "--appendonly", "yes", "--save", ""],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        if not _wait(self._pong, 20):
            raise StackError(f"redis-server did not start: {_tail(self.log)}")

    def stop(self) -> None:
        """SIGTERM (Redis writes its append-only file and exits), as ``docker stop`` does."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


class Process:
    """A child process of the stack (gunicorn, the worker, beat) in its own session, logging to a file."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log: Path):
        self.name, self.command, self.env, self.log = name, command, env, log
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if not self.alive():
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, 15)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, 9)
            self.proc.wait(5)


class Stack:
    """PostgreSQL + Redis + gunicorn (2 workers) + a Celery worker + Celery beat, all started here.

    ``page_url`` is a page the worker can fetch (a local server); ``sweep_interval`` is beat's period of
    the sweep (FOLIO_REQUEUE_INTERVAL; Folio's default is 60 s). Use as a context manager; ``token`` is an
    API token of the user ``faults``."""

    def __init__(self, *, fetch_networks: str, sweep_interval: float = 60.0, db_retry_seconds: float = 8.0):
        self.directory = Path(tempfile.mkdtemp(prefix="folio-faults-"))
        os.chmod(self.directory, 0o755)
        (self.directory / "pg").mkdir()
        (self.directory / "redis").mkdir()
        (self.directory / "data").mkdir()
        self.pg = PgCluster(self.directory / "pg")
        self.redis = RedisServer(self.directory / "redis")
        self.web_port = free_port()
        self.sweep_interval = sweep_interval
        self.fetch_networks = fetch_networks
        self.db_retry_seconds = db_retry_seconds
        self.processes: list[Process] = []
        self.token = ""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def env(self) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("FOLIO_", "CELERY_", "DATABASE_"))}
        keep.pop("REDIS_URL", None)
        return {
            **keep,
            "DJANGO_SETTINGS_MODULE": "reader.settings",
            "DATABASE_URL": self.pg.url(),
            "CELERY_BROKER_URL": self.redis.url,
            "FOLIO_DATA_DIR": str(self.directory / "data"),
            "FOLIO_REDIS_PREFIX": f"folio-faults-{uuid.uuid4().hex[:6]}",
            "FETCH_ALLOWED_NETWORKS": self.fetch_networks,
            "FOLIO_SAVE_RATE_PER_MINUTE": "0",  # the load saves far more than a person's per-minute limit
            "FOLIO_API_WRITE_RATE": "1000000/minute",  # and far more than the API's write rate
            "FOLIO_REQUEUE_INTERVAL": str(self.sweep_interval),
            "FOLIO_DB_RETRY_SECONDS": str(self.db_retry_seconds),
            "FOLIO_RETRY_BACKOFF": "0.5",
            "FOLIO_STATIC_FINDERS": "true",
            "SECRET_KEY": "faults-" + uuid.uuid4().hex,
            "DEBUG": "false",
        }

    def _manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env(), capture_output=True, text=True,
            timeout=300,
        )  # fmt: skip
        if result.returncode:
            raise StackError(f"manage.py {args[0]} failed: {result.stderr[-3000:]}")
        return result.stdout

    def __enter__(self) -> Stack:
        try:
            self.pg.init()
            self.redis.start()
            self._manage("migrate", "--noinput", "-v0")
            self.token = (
                self._manage(
                    "shell",
                    "-c",
                    "from django.contrib.auth import get_user_model;"
                    "from articles.services.account import api_token_create;"
                    "u = get_user_model().objects.create_user('faults', password='x' * 20);"
                    "print(api_token_create(user=u)[1])",
                )
                .strip()
                .splitlines()[-1]
            )
            env = self.env()
            logs = self.directory
            self.processes = [
                Process(
                    "gunicorn",
                    [sys.executable, "-m", "gunicorn", "reader.wsgi:application", "-b",
                     f"127.0.0.1:{self.web_port}", "-w", "2", "--timeout", "60"],
                    env, logs / "gunicorn.log",
                ),
                Process(
                    "worker",
                    [sys.executable, "-m", "celery", "-A", "reader", "worker", "-Q", "folio,folio-import,folio-slow",
                     "-c", "2", "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "info",
                     "-n", f"faults-{uuid.uuid4().hex[:6]}@%h"],
                    env, logs / "worker.log",
                ),
                Process(
                    "beat",
                    [sys.executable, "-m", "celery", "-A", "reader", "beat", "-l", "info",
                     "-s", str(logs / "beat-schedule"), "--pidfile="],
                    env, logs / "beat.log",
                ),
            ]  # fmt: skip
            for process in self.processes:
                process.start()
            if not _wait(self._web_up, 60, 0.3):
                raise StackError(f"gunicorn did not answer: {_tail(logs / 'gunicorn.log')}")
            if not _wait(lambda: " ready." in _tail(logs / "worker.log", 100_000), 60, 0.3):
                raise StackError(f"the Celery worker did not start: {_tail(logs / 'worker.log')}")
        except BaseException:
            self.close()
            raise
        return self

    def _web_up(self) -> bool:
        with (
            contextlib.suppress(OSError, urllib.error.URLError),
            urllib.request.urlopen(self.base + "/login/", timeout=2) as response,
        ):
            return response.status == 200
        return False

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        self.redis.stop()
        self.pg.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def logs(self) -> str:
        """The tails of every log (for a failing assertion's message)."""
        names = ["gunicorn.log", "worker.log", "beat.log", "pg/postgres.log", "redis/redis.log"]
        return "\n".join(f"--- {name}\n{_tail(self.directory / name, 2500)}" for name in names)

    def statuses(self, ids: list[int]) -> dict[int, str]:
        """``{article id: status}`` read straight from the cluster (deleted rows left out)."""
        if not ids:
            return {}
        with psycopg.connect(self.pg.url(), autocommit=True, connect_timeout=5) as conn:
            rows = conn.execute(
                "SELECT id, status FROM articles_article WHERE id = ANY(%s) AND deleted_at IS NULL", [ids]
            ).fetchall()
        return dict(rows)


@dataclass
class Answer:
    """One API save as the client saw it; times are ``time.monotonic()``."""

    sent: float
    done: float
    status: int
    content_type: str = ""
    retry_after: str = ""
    article_id: int | None = None
    error: str = ""

    @property
    def accepted(self) -> bool:
        return 200 <= self.status < 300 and self.article_id is not None

    @property
    def json_503(self) -> bool:
        return (
            self.status == 503 and self.content_type.startswith("application/json") and bool(self.retry_after)
        )


class SaveLoad:
    """``clients`` threads POST new addresses to ``/api/articles/`` one after another until stopped."""

    def __init__(self, stack: Stack, page_url: str, clients: int = 3):
        self.stack, self.page_url, self.clients = stack, page_url, clients
        self.answers: list[Answer] = []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._count = 0
        self._lock = threading.Lock()

    def _save(self) -> Answer:
        with self._lock:
            self._count += 1
            number = self._count
        body = json.dumps({"url": f"{self.page_url}?save={number}-{uuid.uuid4().hex[:6]}"}).encode()
        request = urllib.request.Request(
            self.stack.base + "/api/articles/",
            data=body,
            method="POST",
            headers={"Authorization": f"Token {self.stack.token}", "Content-Type": "application/json"},
        )
        sent = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                payload, status, headers = response.read(), response.status, response.headers
        except urllib.error.HTTPError as exc:
            payload, status, headers = exc.read(), exc.code, exc.headers
        except OSError as exc:  # no answer at all (connection refused or reset)
            return Answer(sent, time.monotonic(), 0, error=repr(exc))
        answer = Answer(
            sent, time.monotonic(), status, headers.get("Content-Type", ""), headers.get("Retry-After", "")
        )
        if 200 <= status < 300:
            with contextlib.suppress(ValueError, AttributeError):
                answer.article_id = int(json.loads(payload)["id"])
        elif not answer.content_type.startswith("application/json"):
            answer.error = payload[:300].decode(errors="replace")
        return answer

    def _loop(self) -> None:
        while not self._stop.is_set():
            answer = self._save()
            with self._lock:
                self.answers.append(answer)
            if answer.status == 503:
                time.sleep(0.2)  # a real client waits (Retry-After); a short pause keeps the load going

    def start(self) -> None:
        for _ in range(self.clients):
            thread = threading.Thread(target=self._loop, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> list[Answer]:
        self._stop.set()
        for thread in self._threads:
            thread.join(90)
        return sorted(self.answers, key=lambda a: a.sent)


@dataclass
class FaultRun:
    """The figures of one fault: ``fault_start``/``fault_end`` bound the fault (the component back at
    ``fault_end``); ``ready_at`` is when each accepted article was first seen ``ready``."""

    name: str
    answers: list[Answer]
    fault_start: float
    fault_end: float
    ready_at: dict[int, float] = field(default_factory=dict)
    final: dict[int, str] = field(default_factory=dict)

    @property
    def accepted(self) -> list[Answer]:
        return [a for a in self.answers if a.accepted]

    @property
    def bad(self) -> list[Answer]:
        """Answers that are neither an accepted save nor a JSON 503 with Retry-After."""
        return [a for a in self.answers if not a.accepted and not a.json_503]

    @property
    def lost(self) -> list[int]:
        """Accepted saves whose article is not in the database."""
        return [a.article_id for a in self.accepted if a.article_id not in self.final]

    @property
    def not_ready(self) -> list[int]:
        return [pk for pk, status in self.final.items() if status != "ready"]

    def recovery_seconds(self) -> float:
        """From the fault's start to the first accepted save sent after the component is back (how long new
        saves were not accepted), or to the fault's end when none was refused."""
        refused = [a for a in self.answers if not a.accepted and a.sent >= self.fault_start]
        if not refused:
            return 0.0
        after = [a for a in self.accepted if a.sent >= max(r.sent for r in refused)]
        return (min(a.done for a in after) if after else float("inf")) - self.fault_start

    def queued_delay_seconds(self) -> float:
        """For saves accepted while the fault lasted: the longest time from the component's return to the
        article being ready (0 when none was accepted then)."""
        during = [a.article_id for a in self.accepted if self.fault_start <= a.sent <= self.fault_end]
        delays = [self.ready_at[pk] - self.fault_end for pk in during if pk in self.ready_at]
        if len(delays) < len(during):
            return float("inf")
        return max([0.0, *delays])

    def summary(self) -> dict:
        five = [a for a in self.answers if a.status >= 500]
        return {
            "fault": self.name,
            "saves": len(self.answers),
            "accepted": len(self.accepted),
            "json_503": sum(a.json_503 for a in self.answers),
            "5xx": len(five),
            "html_or_other_errors": len(self.bad),
            "lost": len(self.lost),
            "not_ready": len(self.not_ready),
            "fault_seconds": round(self.fault_end - self.fault_start, 1),
            "recovery_seconds": round(self.recovery_seconds(), 1),
            "queued_delay_after_return_seconds": round(self.queued_delay_seconds(), 1),
            "slowest_answer_seconds": round(max((a.done - a.sent for a in self.answers), default=0), 1),
            "bad_examples": [
                {"status": a.status, "at": round(a.sent - self.fault_start, 2), "error": a.error[:160]}
                for a in self.bad[:3]
            ],
        }


def _poll_ready(stack: Stack, load: SaveLoad, ready_at: dict[int, float], stop: threading.Event) -> None:
    """Note when each accepted article is first seen ``ready`` (every 0.3 s, while the load runs too)."""
    while not stop.is_set():
        ids = [a.article_id for a in list(load.answers) if a.accepted and a.article_id not in ready_at]
        with contextlib.suppress(psycopg.Error, OSError):
            now = time.monotonic()
            for pk, status in stack.statuses(ids).items():
                if status == "ready":
                    ready_at.setdefault(pk, now)
        stop.wait(0.3)


def run_fault(stack: Stack, page_url: str, name: str, fault, *, before: float = 3.0, after: float = 5.0,
              settle: float = 240.0, clients: int = 3) -> FaultRun:  # fmt: skip
    """Fire saves for ``before`` seconds, run ``fault()`` (which returns once the component is back), fire
    for ``after`` more seconds, then wait up to ``settle`` seconds for every accepted article to leave
    ``queued``/``fetching``, noting when each became ready."""
    load = SaveLoad(stack, page_url, clients)
    ready_at: dict[int, float] = {}
    stop = threading.Event()
    poller = threading.Thread(target=_poll_ready, args=(stack, load, ready_at, stop), daemon=True)
    load.start()
    poller.start()
    time.sleep(before)
    fault_start = time.monotonic()
    fault()
    fault_end = time.monotonic()
    time.sleep(after)
    answers = load.stop()
    run = FaultRun(name, answers, fault_start, fault_end, ready_at)
    ids = [a.article_id for a in run.accepted]
    deadline = time.monotonic() + settle
    try:
        while True:
            with contextlib.suppress(psycopg.Error, OSError):
                run.final = stack.statuses(ids)
            pending = [pk for pk in ids if run.final.get(pk) in ("queued", "fetching")]
            if not pending or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        time.sleep(0.5)  # let the poller see the last ones
    finally:
        stop.set()
        poller.join(10)
    run.final = stack.statuses(ids)
    return run


def pg_restart_fault(stack: Stack):
    """The fault: ``pg_ctl restart -m fast`` of the stack's cluster."""
    return lambda: stack.pg.restart()


def redis_stop_fault(stack: Stack, seconds: float = 5.0):
    """The fault: Redis stopped for ``seconds``, then started again on the same port and files."""

    def fault() -> None:
        stack.redis.stop()
        time.sleep(seconds)
        stack.redis.start()

    return fault
