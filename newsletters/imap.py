"""An IMAP client session over implicit TLS (stdlib ``imaplib.IMAP4_SSL``, RFC 3501 and RFC 8314 port
993), pure: no models. The server's name is resolved once through ``articles.fetching.resolve`` (the same
address rule as every fetch: private, local and reserved addresses refused unless FETCH_ALLOWED_NETWORKS
allows them) and the connection is pinned to that address, while the certificate is checked against the
name (SNI and hostname verification against the system's trust store, or SSL_CERT_FILE)."""

from __future__ import annotations

import contextlib
import imaplib
import re
import socket
import ssl

from articles.fetching import FetchError, resolve


class ImapError(Exception):
    """The mailbox could not be read; the text is shown to the person on the settings page."""


class _PinnedIMAP4SSL(imaplib.IMAP4_SSL):
    """IMAP4_SSL connecting to an address resolved (and checked) beforehand."""

    def __init__(self, host: str, port: int, address: str, timeout: float):
        self._pinned_address = address
        super().__init__(host, port, ssl_context=ssl.create_default_context(), timeout=timeout)

    def _create_socket(self, timeout):
        sock = socket.create_connection((self._pinned_address, self.port), timeout)
        return self.ssl_context.wrap_socket(sock, server_hostname=self.host)


def quote_mailbox(name: str) -> str:
    """``name`` as an IMAP quoted string (RFC 3501 §4.3). Raises ImapError for a name that is not printable
    ASCII (modified UTF-7 folder names are not supported)."""
    if not name or not all(32 <= ord(c) < 127 for c in name):
        raise ImapError("The folder name must be plain ASCII (for example INBOX or Newsletters).")
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


class ImapSession:
    """One logged-in IMAP session on a folder. Use as a context manager; every method raises ImapError.

    ``ImapSession(host, port, username, password, folder, timeout)``: ``timeout`` in seconds per socket
    operation. On entry: connect (refused addresses raise ImapError), LOGIN, SELECT ``folder``.
    """

    def __init__(self, *, host: str, port: int, username: str, password: str, folder: str, timeout: float):
        self.host, self.port, self.username, self.password = host, port, username, password
        self.folder, self.timeout = folder, timeout
        self.uid_validity: int | None = None
        self._client: imaplib.IMAP4_SSL | None = None

    def __enter__(self) -> ImapSession:
        try:
            address = str(resolve(self.host, self.port))
        except FetchError as exc:
            raise ImapError(exc.reason) from exc
        try:
            self._client = _PinnedIMAP4SSL(self.host, self.port, address, self.timeout)
        except ssl.SSLError as exc:
            raise ImapError(f"{self.host} has an invalid or untrusted TLS certificate.") from exc
        except OSError as exc:
            raise ImapError(f"Could not connect to {self.host}:{self.port} over TLS.") from exc
        try:
            self._client.login(self.username, self.password)
        except imaplib.IMAP4.error as exc:
            self._close()
            raise ImapError("The mail server refused the user name or password.") from exc
        try:
            status, _data = self._client.select(quote_mailbox(self.folder))
        except (imaplib.IMAP4.error, OSError) as exc:
            self._close()
            raise ImapError(f"The folder {self.folder!r} could not be opened.") from exc
        if status != "OK":
            self._close()
            raise ImapError(f"The folder {self.folder!r} does not exist.")
        for line in self._client.response("UIDVALIDITY")[1] or ():
            if line:
                self.uid_validity = int(line)
        return self

    def __exit__(self, *exc_info) -> None:
        self._close()

    def _close(self) -> None:
        if self._client is None:
            return
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            self._client.logout()
        self._client = None

    def _uid(self, command: str, *args: str) -> list:
        assert self._client is not None
        try:
            status, data = self._client.uid(command, *args)
        except (imaplib.IMAP4.error, OSError) as exc:
            raise ImapError(f"The mail server failed during {command}: {exc}") from exc
        if status != "OK":
            raise ImapError(f"The mail server refused {command}.")
        return data

    def uids_after(self, last_uid: int) -> list[int]:
        """UIDs above ``last_uid`` in the folder, ascending (``UID SEARCH UID n:*``; the server may answer
        the highest UID even when it is lower, so the list is filtered)."""
        data = self._uid("SEARCH", f"UID {last_uid + 1}:*")
        uids = sorted({int(x) for x in b" ".join(d for d in data if d).split()})
        return [uid for uid in uids if uid > last_uid]

    def size(self, uid: int) -> int:
        """The message's size in bytes (RFC822.SIZE)."""
        for item in self._uid("FETCH", str(uid), "(RFC822.SIZE)"):
            head = item[0] if isinstance(item, tuple) else item
            match = _SIZE.search(head or b"")
            if match:
                return int(match.group(1))
        raise ImapError("The mail server did not say how large a message is.")

    def fetch(self, uid: int) -> bytes:
        """The message's bytes (``BODY.PEEK[]``: reading does not set \\Seen)."""
        for item in self._uid("FETCH", str(uid), "(BODY.PEEK[])"):
            if isinstance(item, tuple) and len(item) == 2:
                return item[1]
        raise ImapError("The mail server sent no message body.")

    def mark_seen(self, uid: int) -> None:
        """Set the \\Seen flag on the message."""
        self._uid("STORE", str(uid), "+FLAGS", "(\\Seen)")
