#!/usr/bin/python3
"""Write Pillow 9.4's references for the edge resizer's large photo: test/goldens/edge.json.

The edge resizer (examples/edge) must turn a 5120x2880 photograph into a thumbnail inside
an arena of 96 MiB, which it can only do by decoding the JPEG scaled (Pillow's draft()).
The photograph is made here from bench/fixtures/photos/kleiber_6028x3391.jpg: its centre
5120x2880 crop, saved by Pillow with quality 90 (4:2:0). The file is 3.5 MB, so it is not
committed: the test makes it again with the library (decode, crop, encode with quality 90:
the library writes Pillow's bytes) and checks it against the SHA-256 recorded here before
using it.

Each case is the CLI's --fit inside, `im.thumbnail((W, H), LANCZOS)` then
`ImageOps.exif_transpose(im)` on the file opened afresh, recorded as the size, the scale
draft() chose, the SHA-256 of the pixels and of the file `save(quality=80)` writes.

    /usr/bin/python3 test/goldens/make_edge_goldens.py
"""

import hashlib
import io
import json
import sys
from pathlib import Path

import PIL
from PIL import Image, ImageOps

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent.parent / "bench" / "fixtures" / "photos" / "kleiber_6028x3391.jpg"
WIDTH, HEIGHT = 5120, 2880
BOXES = [(256, 256), (640, 640), (1200, 1200)]

if PIL.__version__ != "9.4.0":
    sys.exit(f"Pillow 9.4.0 is needed (Debian 12's python3-pil), not {PIL.__version__}")


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def main():
    with Image.open(SOURCE) as source:
        left = (source.width - WIDTH) // 2
        top = (source.height - HEIGHT) // 2
        crop = source.convert("RGB").crop((left, top, left + WIDTH, top + HEIGHT))
    photo = io.BytesIO()
    crop.save(photo, "JPEG", quality=90)
    photo = photo.getvalue()
    cases = []
    for box in BOXES:
        im = Image.open(io.BytesIO(photo))
        im.thumbnail(box, Image.Resampling.LANCZOS)
        draft = im.decoderconfig[0] if im.decoderconfig else 1
        out = ImageOps.exif_transpose(im)
        jpeg = io.BytesIO()
        out.save(jpeg, "JPEG", quality=80)
        cases.append({
            "width": box[0], "height": box[1], "draft": draft,
            "output": {"mode": out.mode, "width": out.width, "height": out.height, "sha256": sha256(out.tobytes())},
            "jpeg80": sha256(jpeg.getvalue()),
        })
    manifest = {
        "pillowVersion": PIL.__version__,
        "notes": [
            "photo: the centre 5120x2880 crop of bench/fixtures/photos/kleiber_6028x3391.jpg, saved with quality=90",
            "cases: im.thumbnail((width, height), LANCZOS) then ImageOps.exif_transpose(im); draft is the scale draft() chose",
            "jpeg80: SHA-256 of the thumbnail saved with quality=80 (the CLI's JPEG)",
        ],
        "photo": {"source": "bench/fixtures/photos/kleiber_6028x3391.jpg", "box": [left, top, left + WIDTH, top + HEIGHT],
                  "quality": 90, "width": WIDTH, "height": HEIGHT, "length": len(photo), "sha256": sha256(photo)},
        "cases": cases,
    }
    (HERE / "edge.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"{len(cases)} cases; photo {len(photo)} bytes")


main()
