#!/usr/bin/python3
"""Write Pillow's decodes of the JPEG corpus as reference data: jpeg-decode.json (+ .bin.gz).

For every file of test/fixtures/jpeg/corpus (listed in corpus.json), of bench/fixtures/photos,
and of scikit-image's three JPEG photographs (recorded by name; the tests use them when the
package is installed), this records what Pillow 9.4.0 (Debian python3-pil, libjpeg-turbo
2.1.5) gives:

- probe: Image.open's size and mode (L, or RGB for every colour file), info["progressive"],
  the sampling factors (as pixel-arena names them: '4:2:0', or 'h0xv0,h1xv1,...'), the
  EXIF orientation (getexif()[0x0112], as exif_transpose uses it: 1 unless 2..8) and whether
  info["icc_profile"] is a non-empty profile, and the file's components (len(im.layer));
  or the error Image.open raises;
- decode at reduce 1, 2, 4 and 8: Image.open, then for reduce k draft(None, size) with the
  size that makes draft() pick scale 1/k (w // k, h // k), or the same scale set directly
  when the image is narrower than k; load(); convert('RGB') unless the mode is L. Recorded
  as mode, size and SHA-256 of tobytes(); or the error Pillow raises;
- oriented: ImageOps.exif_transpose of the full-size decode, when the orientation is 2..8.

Small full-size decodes (at most 1600 pixels) are also stored whole in jpeg-decode.bin.gz, so that a
failing test can show where it differs. Run from anywhere:

    /usr/bin/python3 test/goldens/make_jpeg_decode_goldens.py
"""

import gzip
import hashlib
import json
import sys
import warnings
from pathlib import Path

import PIL
from PIL import Image, ImageOps

PILLOW_VERSION = "9.4.0"
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CORPUS = ROOT / "test" / "fixtures" / "jpeg"
PHOTOS = ROOT / "bench" / "fixtures" / "photos"
SKIMAGE = Path("/usr/lib/python3/dist-packages/skimage/data")
SKIMAGE_JPEGS = ["rocket.jpg", "retina.jpg", "hubble_deep_field.jpg"]
STORE_PIXELS = 1600

if PIL.__version__ != PILLOW_VERSION:
    sys.exit(f"needs Pillow {PILLOW_VERSION} (Debian python3-pil), found {PIL.__version__}")


def sampling_name(im):
    """The sampling as pixel-arena's probe names it (src/codecs/codecs.ts)."""
    factors = [(layer[1], layer[2]) for layer in im.layer]  # Pillow's (id, h, v, table)
    if len(factors) < 3:
        return "4:4:4"
    (h0, v0), (h1, v1), (h2, v2) = factors[:3]
    same = (h1, v1) == (h2, v2) and (len(factors) < 4 or factors[3] == (h0, v0))
    names = {(1, 1): "4:4:4", (2, 1): "4:2:2", (2, 2): "4:2:0", (1, 2): "4:4:0", (4, 1): "4:1:1"}
    if same and (h1, v1) == (1, 1) and (h0, v0) in names:
        return names[(h0, v0)]
    return ",".join(f"{h}x{v}" for h, v in factors)


def error(e):
    return f"{type(e).__name__}: {e}"


def probe(path):
    try:
        im = Image.open(path)
        orientation = im.getexif().get(0x0112)
        return {
            "width": im.size[0], "height": im.size[1], "mode": "L" if im.mode == "L" else "RGB",
            "progressive": bool(im.info.get("progressive")), "subsampling": sampling_name(im),
            "orientation": orientation if orientation in range(2, 9) else 1,
            "exifOrientation": orientation if isinstance(orientation, (int, type(None))) else repr(orientation),
            "hasIcc": bool(im.info.get("icc_profile")),
            "components": len(im.layer),
        }
    except Exception as e:
        return {"error": error(e)}


def open_reduced(path, k):
    im = Image.open(path)
    if k > 1:
        w, h = im.size
        if w >= k and h >= k:
            im.draft(None, (w // k, h // k))
        else:
            # What draft() does once it has picked scale k (it cannot pick it for so small an image).
            d, e, o, a = im.tile[0]
            e = (e[0], e[1], (e[2] - e[0] + k - 1) // k + e[0], (e[3] - e[1] + k - 1) // k + e[1])
            im._size = ((w + k - 1) // k, (h + k - 1) // k)
            im.tile = [(d, e, o, a)]
            im.decoderconfig = (k, 0)
        assert im.decoderconfig[0] == k
    return im


def packed(im):
    return im if im.mode == "L" else im.convert("RGB")


def main():
    warnings.simplefilter("ignore")  # Pillow warns about the corpus's damaged EXIF on purpose
    names = json.loads((CORPUS / "corpus.json").read_text())
    files = [("corpus/" + n, CORPUS / "corpus" / n) for n in names]
    files += [("photos/" + p.name, p) for p in sorted(PHOTOS.glob("*.jpg"))]
    files += [("skimage/" + n, SKIMAGE / n) for n in SKIMAGE_JPEGS]
    blob = bytearray()
    entries = {}
    for name, path in files:
        entry = {"probe": probe(path), "decode": {}}
        for k in (1, 2, 4, 8):
            try:
                im = packed(open_reduced(path, k))
                data = im.tobytes()
                out = {"mode": im.mode, "width": im.size[0], "height": im.size[1],
                       "sha256": hashlib.sha256(data).hexdigest()}
                if k == 1 and im.size[0] * im.size[1] <= STORE_PIXELS and name.startswith("corpus/"):
                    out["offset"] = len(blob)
                    out["length"] = len(data)
                    blob += data
            except Exception as e:
                out = {"error": error(e)}
            entry["decode"][str(k)] = out
        if entry["probe"].get("orientation", 1) > 1 and "error" not in entry["decode"]["1"]:
            im = ImageOps.exif_transpose(packed(Image.open(path)))
            entry["oriented"] = {"width": im.size[0], "height": im.size[1],
                                 "sha256": hashlib.sha256(im.tobytes()).hexdigest()}
        entries[name] = entry
    pixels = gzip.compress(bytes(blob), mtime=0)
    (HERE / "jpeg-decode.bin.gz").write_bytes(pixels)
    manifest = {
        "family": "jpeg-decode",
        "pillowVersion": PILLOW_VERSION,
        "generator": "test/goldens/make_jpeg_decode_goldens.py",
        "pixels": {"file": "jpeg-decode.bin.gz", "length": len(blob), "sha256": hashlib.sha256(blob).hexdigest()},
        "notes": [
            "Colour files are compared after convert('RGB'); CMYK files are Adobe-inverted CMYK, as Pillow reads them.",
            "reduce k is Pillow's draft() at scale 1/k: libjpeg's scaled IDCT, size ceil(w/k) x ceil(h/k).",
            "Pillow decodes arithmetic-coded files only while they fit its 64 KiB read block; the corpus's do.",
        ],
        "files": entries,
    }
    (HERE / "jpeg-decode.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(f"{len(entries)} files, {len(blob)} bytes of pixels ({len(pixels)} gzipped)")


main()
