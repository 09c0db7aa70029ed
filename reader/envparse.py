"""Small pure parsers for settings values that need more than a type cast (tested in tests/test_settings.py)."""

from __future__ import annotations

import ipaddress
from pathlib import Path


def parse_networks(value: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Parse a comma-separated list of CIDR blocks such as ``"127.0.0.0/8, ::1/128"``.

    Returns a list of ``ip_network`` objects (host bits allowed, e.g. ``127.0.0.1/8``).
    Raises ``ValueError`` naming the bad entry if one is not a network.
    """
    networks = []
    for raw in value.split(","):
        item = raw.strip()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as exc:
            raise ValueError(f"FETCH_ALLOWED_NETWORKS: {item!r} is not a CIDR block") from exc
    return networks


def broker_settings(
    broker_url: str, redis_url: str, data_dir: Path, visibility_timeout: int = 3600
) -> tuple[str, dict]:
    """Choose the Celery broker URL and its transport options.

    Order: an explicit ``CELERY_BROKER_URL``, then ``REDIS_URL``, then kombu's filesystem transport under
    ``data_dir/broker`` (the embedded default: no server needed). Returns ``(url, transport_options)``.
    ``visibility_timeout`` (seconds, Redis only) is how long an unacknowledged task waits before Redis
    hands it to another worker.
    """
    url = broker_url or redis_url
    if url and not url.startswith("filesystem:"):
        # visibility_timeout: how long an unacknowledged (acks_late) task waits before Redis redelivers it
        # after its worker died; kombu's default is one hour.
        return url, {"visibility_timeout": visibility_timeout}
    folder = data_dir / "broker"
    for sub in ("queue", "processed", "control"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return "filesystem://", {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }


def secret_key_from_file(path: Path) -> str:
    """Read the secret key kept in ``path``, creating it with 50 random characters on first use."""
    from django.core.management.utils import get_random_secret_key

    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = get_random_secret_key()
    path.write_text(key)
    path.chmod(0o600)
    return key
