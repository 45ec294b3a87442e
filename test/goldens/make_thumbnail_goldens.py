#!/usr/bin/python3
"""Write Pillow 9.4's thumbnails of the test inputs: test/goldens/thumbnail.json + .bin.gz.

Each case is one of the three fits of pixel-arena's thumbnail pipeline, computed with the
Pillow calls it must reproduce exactly:

    inside   im.thumbnail((W, H), filter); ImageOps.exif_transpose(im)
    cover    ImageOps.fit(ImageOps.exif_transpose(im), (W, H), filter)
    fill     ImageOps.exif_transpose(im).resize((W, H), filter)

JPEG files are opened as they are (thumbnail() calls draft() on them); PNG files are first
converted to the mode the library decodes them into (palette to RGB, as it has no tRNS),
so that Pillow resamples them as the library does (Pillow resizes palette images with
nearest whatever the filter). The draft scale Pillow picked is recorded with each JPEG case.

Inputs: test/fixtures/thumbs (made by make_fixtures.py there) and
test/fixtures/photos/chelsea.png. Pixels are packed row-major as Image.tobytes() gives
them (outputs of more than 48x48 pixels only as their SHA-256); the gzip stream carries no time stamp, so running the script again rewrites
identical files.

    /usr/bin/python3 test/goldens/make_thumbnail_goldens.py
"""

import gzip
import hashlib
import io
import json
import sys
from pathlib import Path

import PIL
from PIL import Image, ImageOps

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "fixtures"

if PIL.__version__ != "9.4.0":
    sys.exit(f"Pillow 9.4.0 is needed (Debian 12's python3-pil), not {PIL.__version__}")

FILTERS = {
    "nearest": Image.Resampling.NEAREST,
    "box": Image.Resampling.BOX,
    "bilinear": Image.Resampling.BILINEAR,
    "hamming": Image.Resampling.HAMMING,
    "bicubic": Image.Resampling.BICUBIC,
    "lanczos": Image.Resampling.LANCZOS,
}
# Outputs up to this many pixels are kept whole (a failing test shows where they differ);
# larger ones, from 49x49 up to the inputs' own size, as the SHA-256 of their pixels.
KEEP_PIXELS = 48 * 48
NATURAL = {"L": "L", "LA": "LA", "RGB": "RGB", "RGBA": "RGBA", "P": "RGB"}

INPUTS = sorted(
    str(p.relative_to(FIXTURES)) for p in (FIXTURES / "thumbs").iterdir() if p.suffix in (".jpg", ".png")
) + ["photos/chelsea.png"]

INSIDE_BOXES = [(256, 256), (128, 128), (100, 100), (96, 64), (64, 96), (64, 64), (50, 50), (32, 32),
                (20, 20), (17, 9), (9, 17), (3, 40), (1, 1), (5000, 5000)]
COVER_FILL_BOXES = [(64, 64), (96, 40), (40, 96), (1, 1)]
OTHER_FILTER_INPUTS = ["thumbs/rocket.jpg", "photos/chelsea.png", "thumbs/coffee_orientation_6.jpg",
                       "thumbs/coffee_RGBA_240x180.png", "thumbs/camera_LA_201x151.png",
                       "thumbs/camera_gray_progressive.jpg"]


def open_input(name):
    im = Image.open(FIXTURES / name)
    if im.format == "PNG":
        exif = im.getexif()
        converted = im.convert(NATURAL[im.mode])
        converted.format = "PNG"
        assert exif.get(0x0112, 1) == 1, "the library reads no orientation from PNG files"
        return converted
    return im


def thumbnail(name, fit, size, filter_name):
    resample = FILTERS[filter_name]
    im = open_input(name)
    draft = None
    if fit == "inside":
        im.thumbnail(size, resample)
        if im.format == "JPEG":
            draft = im.decoderconfig[0] if im.decoderconfig else 1
        out = ImageOps.exif_transpose(im)
    elif fit == "cover":
        out = ImageOps.fit(ImageOps.exif_transpose(im), size, resample)
    else:
        out = ImageOps.exif_transpose(im).resize(size, resample)
    return out, draft


def jpeg80(im):
    """SHA-256 of the file Pillow writes for the thumbnail with quality 80 (the CLI's JPEG):
    alpha dropped by convert(), as JPEG has none; no comment copied from the input."""
    if im.mode in ("LA", "RGBA"):
        im = im.convert("L" if im.mode == "LA" else "RGB")
    im.info.pop("comment", None)
    out = io.BytesIO()
    im.save(out, "JPEG", quality=80)
    return hashlib.sha256(out.getvalue()).hexdigest()


def cases():
    for name in INPUTS:
        with Image.open(FIXTURES / name) as probe:
            width, height = probe.size
        boxes = INSIDE_BOXES + [(width, height - 1), (width - 1, height), (width, height), (width + 1, height // 2)]
        for box in boxes:
            yield name, "inside", box, "lanczos"
        for fit in ("cover", "fill"):
            for box in COVER_FILL_BOXES:
                yield name, fit, box, "lanczos"
    for name in OTHER_FILTER_INPUTS:
        for filter_name in FILTERS:
            if filter_name == "lanczos":
                continue
            yield name, "inside", (64, 64), filter_name
            yield name, "inside", (30, 45), filter_name
            yield name, "cover", (48, 32), filter_name
            yield name, "fill", (33, 50), filter_name
    # enlarging: thumbnail() never does, fit() and resize() do
    for name in ("thumbs/chelsea_strip_451x23.jpg", "thumbs/chelsea_strip_19x300.jpg", "thumbs/coffee_orientation_8.jpg"):
        for fit in ("cover", "fill"):
            yield name, fit, (120, 120), "lanczos"


def main():
    blob = bytearray()
    manifest_cases = []
    seen = set()
    for name, fit, box, filter_name in cases():
        key = (name, fit, box, filter_name)
        if key in seen:
            continue
        seen.add(key)
        out, draft = thumbnail(name, fit, box, filter_name)
        pixels = out.tobytes()
        case = {
            "name": f"{name} {fit} {box[0]}x{box[1]} {filter_name}",
            "input": name,
            "fit": fit,
            "width": box[0],
            "height": box[1],
            "filter": filter_name,
        }
        if draft is not None:
            case["draft"] = draft
        case["output"] = {"mode": out.mode, "width": out.width, "height": out.height, "length": len(pixels)}
        if fit == "inside" and box == (64, 64) and filter_name == "lanczos":
            case["jpeg80"] = jpeg80(out)
        if out.width * out.height <= KEEP_PIXELS:
            case["output"]["offset"] = len(blob)
            blob += pixels
        else:
            case["output"]["sha256"] = hashlib.sha256(pixels).hexdigest()
        manifest_cases.append(case)
    compressed = gzip.compress(bytes(blob), compresslevel=9, mtime=0)
    (HERE / "thumbnail.bin.gz").write_bytes(compressed)
    manifest = {
        "pillowVersion": PIL.__version__,
        "format": 1,
        "pixels": {"file": "thumbnail.bin.gz", "length": len(blob), "sha256": hashlib.sha256(blob).hexdigest()},
        "notes": [
            "inside: im.thumbnail((width, height), filter) then ImageOps.exif_transpose(im); 'draft' is the scale draft() chose for JPEG",
            "cover: ImageOps.fit(ImageOps.exif_transpose(im), (width, height), filter)",
            "fill: ImageOps.exif_transpose(im).resize((width, height), filter)",
            "PNG inputs are converted to the mode the library decodes first (palette to RGB)",
            "jpeg80: SHA-256 of im.save(f, 'JPEG', quality=80) of the thumbnail (alpha dropped, no comment): the CLI's JPEG output",
        ],
        "inputs": INPUTS,
        "cases": manifest_cases,
    }
    with open(HERE / "thumbnail.json", "w") as f:
        f.write("{\n")
        for key in ("pillowVersion", "format", "pixels", "notes", "inputs"):
            f.write(f"  {json.dumps(key)}: {json.dumps(manifest[key])},\n")
        f.write('  "cases": [\n')
        f.write(",\n".join("    " + json.dumps(c) for c in manifest_cases))
        f.write("\n  ]\n}\n")
    print(f"{len(manifest_cases)} cases, {len(blob)} bytes of pixels, {len(compressed)} gzipped")


main()
