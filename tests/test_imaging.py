"""The pure image stages (articles/imaging.py) and the image storage setting (reader/envparse.py)."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from articles import imaging
from reader.envparse import image_storage
from tests import imagefiles

LIMITS = {"max_pixels": 40_000_000, "max_side": 1600}


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "WEBP", "BMP"])
def test_every_raster_format_becomes_a_clean_webp(fmt):
    source = io.BytesIO()
    Image.new("RGB", (320, 200), (10, 120, 200)).save(source, fmt)
    kept = imaging.reencode(source.getvalue(), **LIMITS)
    assert (kept.content_type, kept.extension, kept.source_format) == ("image/webp", "webp", fmt)
    assert decoded(kept.data).size == (320, 200) == (kept.width, kept.height)


def test_orientation_applied_and_every_piece_of_metadata_dropped():
    original = imagefiles.photo(400, 200, orientation=6)  # stored landscape, shown rotated 90° clockwise
    assert imagefiles.SECRET.encode() in original
    kept = imaging.reencode(original, **LIMITS)
    image = decoded(kept.data)
    assert image.size == (200, 400)
    red = image.getpixel((image.width - 10, 10))  # the top-left red block is now top-right
    assert red[0] > 180 and red[1] < 60
    assert imagefiles.SECRET.encode() not in kept.data and b"FolioCam" not in kept.data
    assert not dict(image.getexif()) and not {"exif", "xmp", "icc_profile", "comment"} & set(image.info)


def test_colour_profile_converted_to_srgb_and_not_kept():
    from PIL import ImageCms

    wide = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    source = io.BytesIO()
    Image.new("RGB", (50, 50), (200, 30, 30)).save(source, "PNG", icc_profile=wide)
    kept = imaging.reencode(source.getvalue(), **LIMITS)
    assert "icc_profile" not in decoded(kept.data).info


def test_long_side_capped_and_aspect_kept():
    kept = imaging.reencode(imagefiles.photo(4000, 1000), max_pixels=40_000_000, max_side=1000)
    assert (kept.width, kept.height) == (1000, 250)


def test_transparency_kept_in_webp_and_flattened_in_jpeg():
    drawing = imagefiles.drawing(200, 100, transparent=True)
    assert decoded(imaging.reencode(drawing, **LIMITS).data).mode == "RGBA"
    jpeg = imaging.reencode(drawing, output="jpeg", **LIMITS)
    image = decoded(jpeg.data)
    assert (jpeg.content_type, image.mode, image.getpixel((0, 0))) == ("image/jpeg", "RGB", (255, 255, 255))


def test_animated_gif_keeps_its_first_frame():
    frames = [Image.new("RGB", (60, 40), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    source = io.BytesIO()
    frames[0].save(source, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    image = decoded(imaging.reencode(source.getvalue(), **LIMITS).data)
    assert getattr(image, "n_frames", 1) == 1 and image.getpixel((5, 5))[0] > 200


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (imagefiles.png_bomb, "too large"),
        (lambda: imagefiles.png_bomb(8_000), "8,000 x 8,000 pixels"),
        (imagefiles.SVG_WITH_SCRIPT, "not a picture"),
        (imagefiles.HTML_NAMED_JPG, "not a picture"),
        (b"%PDF-1.7\n1 0 obj <<>> endobj", "not a picture"),
        (lambda: imagefiles.photo(300, 200)[:2000], "damaged or cut off"),
        (b"", "empty"),
    ],
    ids=["png bomb 400 MP", "png 64 MP", "svg with script", "html", "pdf", "truncated jpeg", "empty"],
)
def test_what_is_not_a_safe_raster_image_is_refused(data, reason):
    with pytest.raises(imaging.ImageRejected, match=reason):
        imaging.reencode(data() if callable(data) else data, **LIMITS)


def test_rewrite_keeps_kept_images_and_links_the_rest():
    html = (
        '<p>A <img src="https://cdn.test/a.jpg" alt="Harbour" width="300" height="200"> b</p>'
        '<p><a href="https://cdn.test/big.jpg"><img src="https://cdn.test/b.png"></a> after</p>'
        '<figure><img src="https://cdn.test/c.png" alt="Map"><figcaption>C</figcaption></figure>'
    )
    assert imaging.image_sources(html) == [
        "https://cdn.test/a.jpg",
        "https://cdn.test/b.png",
        "https://cdn.test/c.png",
    ]
    local = "/images/" + "a" * 64 + ".webp"
    result = imaging.rewrite_images(
        html,
        {
            "https://cdn.test/a.jpg": imaging.Kept(local, 1600, 1067),
            "https://cdn.test/b.png": imaging.Missing("gone"),
        },
        missing_text="Image not saved",
    )
    assert f'<img src="{local}" alt="Harbour" width="300" height="200"' in result
    # An image inside a link: the placeholder replaces the link (links never nest).
    assert (
        '<p><a class="folio-image-missing" href="https://cdn.test/b.png"' in result
        and "big.jpg" not in result
    )
    assert (
        'href="https://cdn.test/c.png" rel="noopener noreferrer nofollow" title="Map">Image not saved (Map)</a>'
        in result
    )
    assert "<figcaption>C</figcaption>" in result and " after</p>" in result
    # A later run finds the placeholders again and puts the image back when it can be kept.
    assert imaging.image_sources(result, include_missing=True) == [
        "https://cdn.test/b.png",
        "https://cdn.test/c.png",
    ]
    again = imaging.rewrite_images(
        result, {"https://cdn.test/c.png": imaging.Kept(local, 10, 20)}, missing_text="Image not saved"
    )
    tag = next(t for t in re.findall(r"<img[^>]*>", again) if 'alt="Map"' in t)
    assert f'src="{local}"' in tag and 'width="10"' in tag and 'height="20"' in tag and "b.png" in again


def test_image_storage_setting():
    assert image_storage("", "/data/images")["OPTIONS"]["location"] == "/data/images"
    s3 = image_storage("s3", "/unused", bucket="folio", endpoint_url="https://s3.example.test", region="eu-1")
    assert s3["BACKEND"] == "storages.backends.s3.S3Storage"
    assert s3["OPTIONS"] == {
        "bucket_name": "folio",
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": True,
        "endpoint_url": "https://s3.example.test",
        "region_name": "eu-1",
    }
    with pytest.raises(ValueError, match="needs FOLIO_S3_BUCKET"):
        image_storage("s3", "/unused")
    with pytest.raises(ValueError, match="neither"):
        image_storage("ftp", "/unused")
