"""Fixtures of the newsletters tests: the SMTP receiver as a real process (``manage.py mail_receiver`` on a
free local port, against the test database, sending work to the test worker's queues), newsletters built
with the standard library, and a real IMAP server (pymap's in-memory backend) behind a local TLS port."""

from __future__ import annotations

import contextlib
import re
import socket
import ssl
import subprocess
import sys
import threading
import time
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.conftest import ROOT

DOMAIN = "in.folio.test"
MAX_BYTES = 10 * 1024 * 1024


@pytest.fixture(autouse=True)
def _mail_domain(settings):
    settings.FOLIO_MAIL_DOMAIN = DOMAIN
    settings.FOLIO_MAIL_MAX_BYTES = MAX_BYTES


class Receiver:
    """The running ``mail_receiver`` process: ``port``, ``pid``, ``log()``."""

    def __init__(self, proc: subprocess.Popen, log_path: Path, port: int):
        self.proc, self.log_path, self.port = proc, log_path, port

    @property
    def pid(self) -> int:
        return self.proc.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def peak_memory_kib(self) -> int:
        """The process's peak resident memory (VmHWM in /proc), KiB."""
        status = Path(f"/proc/{self.pid}/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))


@pytest.fixture(scope="module")
def mail_receiver(celery_worker_process, tmp_path_factory):
    """``python manage.py mail_receiver --host 127.0.0.1 --port 0`` as its own process (the port it bound
    is read from its first line), with the environment of the test worker (database, broker, queues)."""
    log_path = tmp_path_factory.mktemp("mail") / "receiver.log"
    env = {
        **celery_worker_process.env,
        "FOLIO_MAIL_DOMAIN": DOMAIN,
        "FOLIO_MAIL_MAX_BYTES": str(MAX_BYTES),
        "PYTHONUNBUFFERED": "1",
    }
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "manage.py", "mail_receiver", "--host", "127.0.0.1", "--port", "0"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    port = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and port is None:
        match = re.search(r"listening on 127\.0\.0\.1:(\d+)", log_path.read_text(errors="replace"))
        if match:
            port = int(match.group(1))
        elif proc.poll() is not None:
            break
        else:
            time.sleep(0.2)
    if port is None:
        proc.kill()
        raise RuntimeError(f"mail_receiver did not start:\n{log_path.read_text(errors='replace')[-3000:]}")
    yield Receiver(proc, log_path, port)
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def newsletter(
    *,
    to: str,
    subject: str = "The Weekly Folio #12",
    sender: str = "Paper Trail <hello@papertrail.example>",
    message_id: str = "<issue-12@papertrail.example>",
    html: str | None = None,
    text: str = "This week: three long reads.\n\nSee you next week.",
) -> EmailMessage:
    """A multipart/alternative newsletter (plain text and HTML) as a mailing-list service sends one."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Date"] = "Tue, 01 Dec 2026 08:00:00 +0000"
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


# --- IMAP ------------------------------------------------------------------------------------------------

IMAP_USER, IMAP_PASSWORD = "demouser", "demopass"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TlsFront:
    """Implicit TLS (RFC 8314) in front of a plain IMAP port: each connection accepted on ``port`` is
    wrapped with ``context`` and piped to 127.0.0.1:``backend``."""

    def __init__(self, context: ssl.SSLContext, backend: int):
        self.context, self.backend = context, backend
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed:
            try:
                raw, _addr = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(raw,), daemon=True).start()

    def _serve(self, raw: socket.socket) -> None:
        try:
            client = self.context.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            raw.close()
            return
        backend = socket.create_connection(("127.0.0.1", self.backend))
        threading.Thread(target=self._pipe, args=(backend, client), daemon=True).start()
        self._pipe(client, backend)

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.closed = True
        self.sock.close()


class ImapServer:
    """pymap (``pymap dict``: an IMAP4rev1 server with an in-memory mailbox) on a plain local port, behind
    a TLS front for ``localhost`` with a certificate made by the openssl command line (``cert``)."""

    def __init__(self, folder: Path):
        self.cert, key = folder / "cert.pem", folder / "key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
             "-out", str(self.cert), "-days", "1", "-subj", "/CN=localhost",
             "-addext", "subjectAltName=DNS:localhost"],
            check=True, capture_output=True,
        )  # fmt: skip
        self.plain_port = _free_port()
        self.log_path = folder / "pymap.log"
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [str(Path(sys.executable).parent / "pymap"), "--no-tls", "--host", "127.0.0.1",
                 "--port", str(self.plain_port), "dict", "--demo-user", IMAP_USER,
                 "--demo-password", IMAP_PASSWORD],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.plain_port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.proc.kill()
                    raise RuntimeError(f"pymap did not start: {self.log_path.read_text()[-2000:]}") from None
                time.sleep(0.2)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, key)
        self.front = TlsFront(context, self.plain_port)
        self.port = self.front.port

    def append(self, message: bytes, folder: str = "INBOX") -> None:
        """Put ``message`` in ``folder`` as a mail server's delivery would (IMAP APPEND on the plain port)."""
        import imaplib

        client = imaplib.IMAP4("127.0.0.1", self.plain_port)
        try:
            client.login(IMAP_USER, IMAP_PASSWORD)
            status, _data = client.append(folder, None, None, message)
            assert status == "OK"
        finally:
            client.logout()

    def flags(self, folder: str = "INBOX") -> dict[int, str]:
        """Flags of each message of ``folder`` by UID."""
        import imaplib

        client = imaplib.IMAP4("127.0.0.1", self.plain_port)
        try:
            client.login(IMAP_USER, IMAP_PASSWORD)
            client.select(folder, readonly=True)
            _status, data = client.uid("FETCH", "1:*", "(FLAGS)")
            result = {}
            for line in data:
                if not line:
                    continue
                text = line.decode() if isinstance(line, bytes) else line[0].decode()
                uid = re.search(r"UID (\d+)", text)
                flags = re.search(r"FLAGS \(([^)]*)\)", text)
                if uid and flags:
                    result[int(uid.group(1))] = flags.group(1)
            return result
        finally:
            client.logout()

    def close(self) -> None:
        self.front.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


@pytest.fixture(scope="module")
def imap_server(tmp_path_factory):
    server = ImapServer(tmp_path_factory.mktemp("imap"))
    yield server
    server.close()
