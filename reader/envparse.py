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
        # queue_order_strategy "priority": a worker consuming "-Q folio,folio-import" always takes a
        # waiting save before an imported article (kombu redis transport option).
        return url, {"visibility_timeout": visibility_timeout, "queue_order_strategy": "priority"}
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


def image_storage(
    kind: str, folder: Path, *, bucket: str = "", endpoint_url: str = "", region: str = ""
) -> dict:
    """The ``STORAGES["images"]`` entry for ``FOLIO_IMAGE_STORAGE``.

    ``filesystem`` (the default): Django's FileSystemStorage in ``folder`` (under ``FOLIO_DATA_DIR``); files
    are written readable by the owner only, because Folio serves them itself, to their owner.
    ``s3``: django-storages' S3Storage on ``bucket``, at ``endpoint_url`` (MinIO, Garage, Ceph, R2, ...; empty
    for AWS) in ``region``; objects private, served through Folio, never by public bucket URLs.
    Raises ValueError for another kind, or ``s3`` without a bucket.
    """
    kind = (kind or "filesystem").strip().lower()
    if kind == "filesystem":
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {
                "location": str(folder),
                "file_permissions_mode": 0o600,
                "directory_permissions_mode": 0o700,
            },
        }
    if kind == "s3":
        if not bucket:
            raise ValueError("FOLIO_IMAGE_STORAGE=s3 needs FOLIO_S3_BUCKET")
        options = {
            "bucket_name": bucket,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": True,
        }
        if endpoint_url:
            options["endpoint_url"] = endpoint_url
        if region:
            options["region_name"] = region
        return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
    raise ValueError(f"FOLIO_IMAGE_STORAGE: {kind!r} is neither 'filesystem' nor 's3'")
