#!/usr/bin/python3
"""Write the Pillow reference data for the PNG decoder: ``pngsuite.json``, next to this file.

For every file of PngSuite (``test/fixtures/pngsuite``), and for the PNG photographs of
``test/fixtures/photos`` (under ``photos``), the manifest holds what Pillow
9.4 decodes, as the SHA-256 of its RGBA pixels (``Image.tobytes()`` of the RGBA image,
row-major, 4 bytes per pixel), its size, and the mode the library's decoder gives (the
PNG colour type's natural mode: gray L, or LA with a tRNS key; gray+alpha LA; RGB RGB,
or RGBA with a tRNS key; palette RGB, or RGBA with tRNS; RGBA RGBA). A test decodes each
file, widens its pixels to RGBA (L to L,L,L,255; LA to L,L,L,A; RGB to R,G,B,255) and
compares the hash. Files Pillow refuses to open are listed with its error; the corrupt
files of the suite (``x*.png``) are listed apart, whatever Pillow does with them.

The RGBA pixels are ``Image.open(f).convert('RGBA')``, except where Pillow's conversion
departs from the PNG rules (each case is in ``notes`` of the manifest):

- 16-bit gray opens in Pillow as mode ``I`` with the full 16-bit values, which
  ``convert('RGBA')`` clips to 255. The golden takes the high byte of each value
  (``value >> 8``), as Pillow itself does for 16-bit RGB, gray+alpha and RGBA.
- A gray tRNS key: the PNG rule makes a pixel transparent when its sample *as stored*
  equals the key. Pillow 9.4 compares the key with the sample after scaling to 8 bits
  (1/2/4-bit gray: no pixel ever matches) and turns 16-bit gray (``I``) fully
  transparent. The golden applies the PNG rule to Pillow's samples: alpha 0 where the
  stored sample (the 8-bit value divided back by the scale, or the full 16-bit value)
  equals Pillow's ``info['transparency']``.

The script needs only Pillow and the Python standard library, refuses any Pillow but
9.4.0, and is deterministic. Run it from anywhere:

    /usr/bin/python3 test/goldens/make_png_goldens.py
"""

import hashlib
import json
import struct
import sys
from pathlib import Path

import PIL
from PIL import Image

PILLOW_VERSION = "9.4.0"
HERE = Path(__file__).resolve().parent
SUITE = HERE.parent / "fixtures" / "pngsuite"
PHOTOS = HERE.parent / "fixtures" / "photos"

NOTES = [
    "rgba: SHA-256 of the RGBA pixels, row-major; L widens to L,L,L,255, LA to L,L,L,A, RGB to R,G,B,255.",
    "16-bit gray: the high byte of Pillow's 16-bit value (mode I), as Pillow keeps for 16-bit RGB, gray+alpha and RGBA.",
    "Gray tRNS key: alpha 0 where the sample as stored equals the key (the PNG rule); Pillow 9.4's convert('RGBA') "
    "compares the key with the scaled sample (1/2/4 bits) or makes 16-bit gray fully transparent.",
]


def header(data):
    """Width, height, bit depth, colour type from IHDR."""
    width, height, depth, color = struct.unpack(">IIBB", data[16:26])
    return width, height, depth, color


def natural_mode(color, image):
    keyed = "transparency" in image.info
    if color == 0:
        return "LA" if keyed else "L"
    if color == 4:
        return "LA"
    if color == 6:
        return "RGBA"
    return "RGBA" if keyed else "RGB"


def gray_rgba(image, depth):
    """RGBA pixels of a gray image by the PNG rules (see the module comment)."""
    key = image.info.get("transparency")
    out = bytearray()
    if image.mode == "I":
        for value in image.getdata():
            level = value >> 8
            alpha = 0 if key is not None and value == key else 255
            out += bytes((level, level, level, alpha))
        return bytes(out), False
    gray = image.convert("L")
    scale = 255 // ((1 << depth) - 1)
    for level in gray.getdata():
        alpha = 0 if key is not None and level // scale == key else 255
        out += bytes((level, level, level, alpha))
    departs = key is not None and depth < 8
    return bytes(out), departs


def main():
    if PIL.__version__ != PILLOW_VERSION:
        sys.exit(f"Pillow {PIL.__version__} found; these goldens belong to Pillow {PILLOW_VERSION}")
    files = {}
    corrupt = {}
    refused = {}
    for path in sorted(SUITE.glob("*.png")):
        name = path.name
        data = path.read_bytes()
        try:
            image = Image.open(path)
            image.load()
        except Exception as error:  # noqa: BLE001 - any refusal is recorded
            message = f"{type(error).__name__}: {error}"
            (corrupt if name.startswith("x") else refused)[name] = message
            continue
        if name.startswith("x"):
            corrupt[name] = "Pillow opens it"
            continue
        width, height, depth, color = header(data)
        rule = "pillow convert('RGBA')"
        if color == 0:
            rgba, departs = gray_rgba(image, depth)
            if image.mode == "I":
                rule = "high byte of Pillow's I" + (" with the PNG key rule" if "transparency" in image.info else "")
            elif departs:
                rule = "Pillow's L with the PNG key rule"
            elif "transparency" in image.info:
                rule = "Pillow's L with the key"
        else:
            rgba = image.convert("RGBA").tobytes()
        files[name] = {
            "width": width,
            "height": height,
            "mode": natural_mode(color, image),
            "bitDepth": depth,
            "colorType": color,
            "interlaced": data[28] == 1,
            "rgba": hashlib.sha256(rgba).hexdigest(),
            "rule": rule,
        }
    photos = {}
    for path in sorted(PHOTOS.glob("*.png")):
        data = path.read_bytes()
        image = Image.open(path)
        width, height, depth, color = header(data)
        photos[path.name] = {
            "width": width,
            "height": height,
            "mode": natural_mode(color, image),
            "bitDepth": depth,
            "colorType": color,
            "interlaced": data[28] == 1,
            "rgba": hashlib.sha256(image.convert("RGBA").tobytes()).hexdigest(),
            "rule": "pillow convert('RGBA')",
        }
    manifest = {
        "family": "pngsuite",
        "pillowVersion": PIL.__version__,
        "notes": NOTES,
        "files": files,
        "photos": photos,
        "corrupt": corrupt,
        "refused": refused,
    }
    text = json.dumps(manifest, indent=1, sort_keys=False)
    (HERE / "pngsuite.json").write_text(text + "\n")
    print(f"{len(files)} files, {len(corrupt)} corrupt, {len(refused)} refused, {len(photos)} photos")


if __name__ == "__main__":
    main()
