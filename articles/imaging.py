"""Article images as pure stages: verify and re-encode downloaded bytes with Pillow, and rewrite the
``<img>`` elements of sanitized article HTML. No ORM, no network, no storage (``services/media.py`` composes
these with the fetch client and Django's storage API).

Re-encoding is the safety step: only bytes that Pillow decodes as one of RASTER_FORMATS become an image,
the declared size is checked against a pixel cap before any pixel is decoded (decompression bombs), the
EXIF orientation is applied, and a fresh WebP or JPEG is written with no metadata at all (no EXIF, XMP, ICC
profile or comments: the pixels are converted to sRGB first). SVG, HTML, PDF and everything else are
refused, whatever the server called them.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass
from urllib.parse import urlsplit

import lxml.etree
import lxml.html
from PIL import Image, ImageCms, UnidentifiedImageError

from .extraction.text import remove_element
from .sanitizing import IMAGE_MISSING_CLASS, LOCAL_IMAGE_PATH

#: Formats Pillow may identify a download as. Vector formats (SVG) have no Pillow decoder, and formats
#: with a large parser surface and no use on web pages (TIFF, PSD, EPS, PDF, ICO, ...) are not tried.
RASTER_FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "BMP", "AVIF")
#: Output formats: (Pillow name, Content-Type, file extension).
OUTPUT_FORMATS = {"webp": ("WEBP", "image/webp", "webp"), "jpeg": ("JPEG", "image/jpeg", "jpg")}
#: Extensions of Folio's stored images, for the URL pattern and the sanitizer.
EXTENSIONS = {ext: content_type for _name, content_type, ext in OUTPUT_FORMATS.values()}
#: Class of the link left where an image could not be kept (allowed by the sanitizer).
MISSING_CLASS = IMAGE_MISSING_CLASS
#: Path of a stored image as Folio's URLconf serves it (``articles:image``); the sanitizer keeps such a
#: path as it is instead of resolving it against the article's address.
LOCAL_PATH = LOCAL_IMAGE_PATH

_ORIENTATION = 0x0112


class ImageRejected(Exception):
    """The bytes are not an image Folio keeps; ``reason`` is a sentence for the person."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Reencoded:
    """A verified, re-encoded image: ``data`` in ``content_type``, ``width`` x ``height`` pixels.

    ``source_format`` is what Pillow recognised in the download (``JPEG``, ``PNG``, ...).
    """

    data: bytes
    content_type: str
    extension: str
    width: int
    height: int
    source_format: str


def reencode(
    data: bytes, *, max_pixels: int, max_side: int, output: str = "webp", quality: int = 80
) -> Reencoded:
    """Verify that ``data`` is a raster image and write it again, clean.

    - Only RASTER_FORMATS are tried; anything else raises ImageRejected ("not a picture Folio can read").
    - An image whose declared width x height is over ``max_pixels`` is refused before decoding (a PNG of
      100,000 x 100,000 pixels compresses to a few kilobytes and would decode to 30 GB).
    - JPEGs decode at a reduced scale when that still covers ``max_side`` (libjpeg's DCT scaling).
    - The EXIF orientation is applied; colours are converted to sRGB when the image carries an ICC profile;
      the long side is scaled down to ``max_side`` pixels (Lanczos); animated images keep their first frame.
    - ``output`` is ``"webp"`` (keeps transparency) or ``"jpeg"`` (transparency flattened onto white), at
      ``quality`` (1-95). Nothing of the original file's metadata is written.

    Raises ImageRejected with a reason for the person.
    """
    if not data:
        raise ImageRejected("The image was empty.")
    pillow_name, content_type, extension = OUTPUT_FORMATS[output]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=RASTER_FORMATS)
            width, height = image.size
            if width < 1 or height < 1:
                raise ImageRejected("The image has no pixels.")
            if width * height > max_pixels:
                raise ImageRejected(
                    f"The image is too large ({width:,} x {height:,} pixels; Folio keeps images up to "
                    f"{max_pixels:,} pixels)."
                )
            source_format = image.format or ""
            if source_format == "JPEG":
                image.draft("RGB", (max_side, max_side))
            image.load()
            orientation = image.getexif().get(_ORIENTATION, 1)
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected("The image is too large to decode safely.") from exc
    except (UnidentifiedImageError, SyntaxError) as exc:
        raise ImageRejected("The file is not a picture Folio can read (JPEG, PNG, GIF, WebP, AVIF).") from exc
    except (OSError, ValueError, EOFError, MemoryError) as exc:
        raise ImageRejected("The image is damaged or cut off.") from exc
    image = _to_srgb(image)
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS, reducing_gap=3.0)
    method = _TRANSPOSE.get(orientation)
    if method is not None:
        image = image.transpose(method)
    image = _output_mode(image, keep_alpha=pillow_name == "WEBP")
    # A new image holds only pixels: no info dictionary (EXIF, XMP, ICC, comments) reaches the encoder.
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    out = io.BytesIO()
    options: dict = {"quality": max(1, min(95, quality))}
    if pillow_name == "WEBP":
        options["method"] = 4
    else:
        options.update(optimize=True, progressive=True)
    clean.save(out, pillow_name, **options)
    return Reencoded(
        data=out.getvalue(),
        content_type=content_type,
        extension=extension,
        width=clean.width,
        height=clean.height,
        source_format=source_format,
    )


#: EXIF orientation -> the transposition that shows the picture upright (EXIF 2.32, tag 0x0112).
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_SRGB = ImageCms.createProfile("sRGB")


def _to_srgb(image: Image.Image) -> Image.Image:
    icc = image.info.get("icc_profile")
    if not icc:
        return image
    alpha = image.getchannel("A") if image.mode in ("RGBA", "LA") else None
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        base = image if image.mode in ("RGB", "CMYK", "L") else image.convert("RGB")
        converted = ImageCms.profileToProfile(base, source, _SRGB, outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # an unreadable profile: keep the pixels as they are
    if converted is None:
        return image
    if alpha is not None:
        converted.putalpha(alpha)
    return converted


def _output_mode(image: Image.Image, *, keep_alpha: bool) -> Image.Image:
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    if has_alpha:
        rgba = image.convert("RGBA")
        if keep_alpha:
            return rgba
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image if image.mode == "RGB" else image.convert("RGB")


# --- the article's HTML -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kept:
    """An image stored by Folio: served at ``src``, ``width`` x ``height`` pixels."""

    src: str
    width: int
    height: int


@dataclass(frozen=True)
class Missing:
    """An image Folio could not keep, and why (a sentence for the person)."""

    reason: str


def _is_remote(url: str) -> bool:
    return urlsplit(url).scheme.lower() in ("http", "https")


def _fragment(content_html: str) -> lxml.html.HtmlElement | None:
    if not content_html.strip():
        return None
    try:
        return lxml.html.fragment_fromstring(content_html, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return None


def _serialize(root: lxml.html.HtmlElement) -> str:
    text = (root.text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text + "".join(lxml.html.tostring(child, encoding="unicode") for child in root)


def image_sources(content_html: str, *, include_missing: bool = False) -> list[str]:
    """The distinct http(s) image addresses of sanitized ``content_html``, in document order.

    With ``include_missing``, also the originals behind the placeholders a previous run left
    (``<a class="folio-image-missing" href=...>``), so that they are tried again.
    """
    root = _fragment(content_html)
    if root is None:
        return []
    seen: dict[str, None] = {}
    for element in root.iter("img", "a"):
        if element.tag == "img":
            src = (element.get("src") or "").strip()
        elif include_missing and MISSING_CLASS in (element.get("class") or "").split():
            src = (element.get("href") or "").strip()
        else:
            continue
        if src and _is_remote(src):
            seen.setdefault(src, None)
    return list(seen)


def rewrite_images(content_html: str, outcome: dict[str, Kept | Missing], *, missing_text: str) -> str:
    """``content_html`` with every remote ``<img>`` (and every earlier placeholder) pointing at Folio.

    ``outcome`` maps an original address to Kept (the ``src`` becomes Folio's URL; the page's declared
    width and height are kept, else the stored size is set) or Missing. A Missing image, and any remote
    image absent from ``outcome``, becomes a placeholder link to the original whose visible text is
    ``missing_text`` (with the image's alt text, if any). Nothing in the result loads from another origin.
    """
    root = _fragment(content_html)
    if root is None:
        return content_html
    for element in list(root.iter("img", "a")):
        is_placeholder = element.tag == "a" and MISSING_CLASS in (element.get("class") or "").split()
        if element.tag == "a" and not is_placeholder:
            continue
        src = (element.get("href") if is_placeholder else element.get("src")) or ""
        src = src.strip()
        result = outcome.get(src)
        if isinstance(result, Kept):
            alt = (element.get("title") or "") if is_placeholder else (element.get("alt") or "")
            img = element
            if is_placeholder:
                img = lxml.html.Element("img")
                img.tail = element.tail
                element.getparent().replace(element, img)
            if not (img.get("width") and img.get("height")):
                img.set("width", str(result.width))
                img.set("height", str(result.height))
            img.set("src", result.src)
            img.set("alt", alt)
            img.set("loading", "lazy")
            img.set("decoding", "async")
        elif is_placeholder:
            continue  # tried again and still missing (or not tried): the placeholder stays as it is
        elif LOCAL_PATH.match(src):
            continue  # already one of Folio's images
        else:
            _replace_with_placeholder(element, src, missing_text)
    return _serialize(root)


#: An <img> whose src is anything but one of Folio's paths (sanitized HTML quotes attributes with ").
_FOREIGN_IMG = re.compile(r'<img\b[^>]*\ssrc="(?!/images/[0-9a-f]{64}\.(?:webp|jpg)")', re.IGNORECASE)


def remote_images_as_links(content_html: str, *, missing_text: str) -> str:
    """``content_html`` with every ``<img>`` that would load from another origin replaced by a placeholder
    link (for articles whose images were never kept, e.g. saved before Folio kept images); cheap when
    there is none."""
    if not _FOREIGN_IMG.search(content_html):
        return content_html
    root = _fragment(content_html)
    if root is None:
        return content_html
    changed = False
    for img in list(root.iter("img")):
        src = (img.get("src") or "").strip()
        if not LOCAL_PATH.match(src):
            _replace_with_placeholder(img, src, missing_text)
            changed = True
    return _serialize(root) if changed else content_html


def _replace_with_placeholder(img: lxml.html.HtmlElement, src: str, missing_text: str) -> None:
    alt = " ".join((img.get("alt") or "").split())
    parent = img.getparent()
    tail = img.tail
    if not _is_remote(src):
        # Nothing to link to (a data: or relative address the sanitizer would have dropped anyway).
        remove_element(img)
        return
    link = lxml.html.Element("a")
    link.set("class", MISSING_CLASS)
    link.set("href", src)
    link.set("rel", "noopener noreferrer nofollow")
    if alt:
        link.set("title", alt)
    link.text = f"{missing_text} ({alt})" if alt else missing_text
    outer = next((a for a in img.iterancestors("a")), None)
    if outer is None:
        link.tail = tail
        parent.replace(img, link)
        return
    # A link may not contain a link: the image goes, and the placeholder follows the outer link.
    remove_element(img)
    if not "".join(outer.itertext()).strip() and not len(outer):
        link.tail = outer.tail
        outer.getparent().replace(outer, link)
    else:
        link.tail = outer.tail
        outer.tail = None
        outer.addnext(link)
