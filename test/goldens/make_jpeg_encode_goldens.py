#!/usr/bin/python3
"""Write the Pillow reference data for the JPEG encoder.

Writes, next to this file:

    jpeg-encode.json    the manifest: inputs, and for every case the options, the length and
                        the SHA-256 of the file Pillow writes; a few files kept whole
    jpeg-encode.bin.gz  gzip of the packed input pixels and of the files kept whole

Every case is ``im.save(buffer, "JPEG", **options)`` with options among quality,
subsampling, optimize and progressive (an option left out is Pillow's default). Inputs are
small crops of the photographs in ``test/fixtures/photos`` (odd sizes, so that the edges of
blocks and MCUs are expanded), their luma for grayscale files, and one synthetic image of
noise and hard edges (large coefficients, long zero runs).

The script is deterministic and refuses to run on any Pillow other than 9.4.0 or any
libjpeg-turbo other than 2.1.5, the versions the data belongs to:

    /usr/bin/python3 test/goldens/make_jpeg_encode_goldens.py
"""

import gzip
import hashlib
import io
import json
import sys
from pathlib import Path

import PIL
from PIL import Image, features

PILLOW_VERSION = "9.4.0"
LIBJPEG_TURBO_VERSION = "2.1.5"
FORMAT_VERSION = 1

HERE = Path(__file__).resolve().parent
PHOTOS = HERE.parent / "fixtures" / "photos"
BYTES_PER_PIXEL = {"L": 1, "RGB": 3}
SUBSAMPLINGS = ("4:4:4", "4:2:2", "4:2:0")

# name: (photograph, crop box); all RGB.
PHOTO_CROPS = {
    "coffee_1x1": ("coffee_300x200.png", (150, 100, 151, 101)),
    "chelsea_7x5": ("chelsea.png", (210, 120, 217, 125)),
    "coffee_17x9": ("coffee_300x200.png", (120, 60, 137, 69)),
    "astronaut_33x31": ("astronaut_256x256.png", (100, 40, 133, 71)),
    "chelsea_64x48": ("chelsea.png", (180, 90, 244, 138)),
    "coffee_91x67": ("coffee_300x200.png", (60, 40, 151, 107)),
}
# name: (photograph, crop box); grayscale, through Pillow's convert("L").
GRAY = {
    "chelsea_L_45x37": ("chelsea.png", (170, 80, 215, 117)),
    "coffee_L_17x9": ("coffee_300x200.png", (120, 60, 137, 69)),
}
SYNTHETIC = "noise_128x96"

GRAY_QUALITIES = (1, 2, 5, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 95, 98, 100)
MODE_QUALITIES = (1, 20, 50, 75, 90, 100)
# (optimize, progressive) combinations besides the plain sequential file
MODES = ((True, False), (False, True), (True, True))
# cases whose whole file is kept, to show where a difference starts
KEEP = {
    ("coffee_17x9", 75, "4:2:0", False, False),
    ("coffee_17x9", 75, "4:4:4", False, False),
    ("coffee_17x9", 75, "4:2:2", True, False),
    ("coffee_17x9", 75, "4:2:0", False, True),
    ("coffee_L_17x9", 75, None, False, False),
    ("coffee_L_17x9", 75, None, False, True),
}


def hash32(x):
    """lowbias32 integer hash: a well-mixed 32-bit value from a 32-bit key."""
    x &= 0xFFFFFFFF
    x ^= x >> 16
    x = (x * 0x7FEB352D) & 0xFFFFFFFF
    x ^= x >> 15
    x = (x * 0x846CA68B) & 0xFFFFFFFF
    x ^= x >> 16
    return x


def synthetic(w, h):
    """Left half uniform noise, right half 0/255 stripes of random colours, 2 px wide."""
    out = bytearray()
    for y in range(h):
        for x in range(w):
            for c in range(3):
                if 2 * x < w:
                    v = hash32(hash32(x * 7919 + y * 104729) ^ c) & 255
                else:
                    v = 255 if (hash32(((x + y) // 2) * 31 + c) & 1) else 0
                out.append(v)
    return Image.frombytes("RGB", (w, h), bytes(out))


def load_crop(filename, box):
    im = Image.open(PHOTOS / filename)
    im.load()
    return im.convert("RGB").crop(box)


def encode(im, options):
    buffer = io.BytesIO()
    im.save(buffer, "JPEG", **options)
    return buffer.getvalue()


def main():
    if PIL.__version__ != PILLOW_VERSION or features.version("libjpeg_turbo") != LIBJPEG_TURBO_VERSION:
        sys.exit(f"expected Pillow {PILLOW_VERSION} with libjpeg-turbo {LIBJPEG_TURBO_VERSION}, found Pillow "
                 f"{PIL.__version__} with libjpeg-turbo {features.version('libjpeg_turbo')}")

    inputs = {}
    sources = {}
    for name, (photo, box) in PHOTO_CROPS.items():
        inputs[name] = load_crop(photo, box)
        sources[name] = f"{photo} crop {list(box)}"
    for name, (photo, box) in GRAY.items():
        inputs[name] = load_crop(photo, box).convert("L")
        sources[name] = f"{photo} crop {list(box)}, convert('L')"
    inputs[SYNTHETIC] = synthetic(128, 96)
    sources[SYNTHETIC] = "synthetic: noise (left) and 2-pixel stripes of 0/255 (right)"

    blob = bytearray()
    manifest_inputs = {}
    for name, im in inputs.items():
        raw = im.tobytes()
        manifest_inputs[name] = {"mode": im.mode, "width": im.width, "height": im.height,
                                 "offset": len(blob), "length": len(raw), "source": sources[name]}
        blob += raw

    cases = []

    def add(name, options):
        data = encode(inputs[name], options)
        case = {"input": name, "options": options, "length": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        key = (name, options.get("quality"), options.get("subsampling"),
               options.get("optimize", False), options.get("progressive", False))
        if key in KEEP:
            case["file"] = {"offset": len(blob), "length": len(data)}
            blob.extend(data)
        cases.append(case)

    color = [n for n, im in inputs.items() if im.mode == "RGB"]
    gray = [n for n, im in inputs.items() if im.mode == "L"]
    for name in color + gray:
        add(name, {})
    for name in color:
        for quality in range(1, 101):
            for subsampling in SUBSAMPLINGS:
                add(name, {"quality": quality, "subsampling": subsampling})
    for name in gray:
        for quality in GRAY_QUALITIES:
            add(name, {"quality": quality})
            for subsampling in SUBSAMPLINGS:
                add(name, {"quality": quality, "subsampling": subsampling})
    for name in color + gray:
        for quality in MODE_QUALITIES:
            for subsampling in (None,) + SUBSAMPLINGS if name in gray else SUBSAMPLINGS:
                for optimize, progressive in MODES:
                    options = {"quality": quality}
                    if subsampling is not None:
                        options["subsampling"] = subsampling
                    if optimize:
                        options["optimize"] = True
                    if progressive:
                        options["progressive"] = True
                    add(name, options)

    rejects = []
    for mode, size in (("RGB", (0, 5)), ("L", (3, 0)), ("RGBA", (2, 2)), ("LA", (2, 2)), ("L", (65501, 1))):
        try:
            encode(Image.new(mode, size), {})
        except (ValueError, OSError) as error:
            rejects.append({"mode": mode, "width": size[0], "height": size[1],
                            "error": type(error).__name__, "message": str(error)})
        else:
            sys.exit(f"Pillow accepted a {mode} {size} image")

    raw = bytes(blob)
    manifest = {
        "family": "jpeg-encode",
        "format": FORMAT_VERSION,
        "pillowVersion": PIL.__version__,
        "libjpegTurboVersion": features.version("libjpeg_turbo"),
        "pixels": {"file": "jpeg-encode.bin.gz", "length": len(raw), "sha256": hashlib.sha256(raw).hexdigest()},
        "notes": [
            "Each case is Pillow's im.save(f, 'JPEG', **options); an option left out is Pillow's default "
            "(quality 75; subsampling 4:2:0 for RGB, none for L).",
            "A grayscale file carries the sampling factors of an explicit subsampling option in its SOF "
            "(2x2 for 4:2:0); nothing else of the file changes.",
            "progressive=True always writes optimal Huffman tables (libjpeg forces optimize_coding).",
            "Pillow refuses RGBA and LA for JPEG (rejects); the library drops their alpha instead.",
        ],
        "inputs": manifest_inputs,
        "cases": cases,
        "rejects": rejects,
    }
    (HERE / "jpeg-encode.bin.gz").write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))
    # One case a line: the manifest stays readable and its diffs small.
    cases_text = ",\n  ".join(json.dumps(c, separators=(",", ":")) for c in cases)
    text = json.dumps({**manifest, "cases": []}, indent=1).replace('"cases": []', '"cases": [\n  ' + cases_text + "\n ]")
    (HERE / "jpeg-encode.json").write_text(text + "\n")
    print(f"jpeg-encode: {len(cases)} cases, {len(manifest_inputs)} inputs, {len(raw)} bytes of data")


if __name__ == "__main__":
    main()
