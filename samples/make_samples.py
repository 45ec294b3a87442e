#!/usr/bin/python3
"""Write the sample photographs `npm start` makes thumbnails of.

All come from scikit-image's sample data in Debian 12's python3-skimage 0.19.3-8
(/usr/lib/python3/dist-packages/skimage/data), CC0 or public domain (see README.md):
three JPEG files and three PNG files copied byte for byte, and one JPEG written here with
Pillow 9.4.0 the way a camera held upright writes it: pixels stored sideways, with EXIF
orientation 6 saying how to turn them.

    /usr/bin/python3 samples/make_samples.py
"""

import shutil
import sys
from pathlib import Path

import PIL
from PIL import Image

HERE = Path(__file__).resolve().parent
SKIMAGE = Path("/usr/lib/python3/dist-packages/skimage/data")

if PIL.__version__ != "9.4.0":
    sys.exit(f"Pillow 9.4.0 is needed (Debian 12's python3-pil), not {PIL.__version__}")

COPIES = {
    "jpeg/rocket.jpg": "rocket.jpg",
    "jpeg/retina.jpg": "retina.jpg",
    "jpeg/space/hubble_deep_field.jpg": "hubble_deep_field.jpg",
    "png/coffee.png": "coffee.png",
    "png/chelsea.png": "chelsea.png",
    "png/camera.png": "camera.png",
}

for target, source in COPIES.items():
    (HERE / target).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SKIMAGE / source, HERE / target)

with Image.open(SKIMAGE / "astronaut.png") as astronaut:
    exif = Image.Exif()
    exif[0x0112] = 6  # the stored picture is turned 90° counter-clockwise: turn it clockwise to view
    astronaut.convert("RGB").transpose(Image.Transpose.ROTATE_90).save(
        HERE / "jpeg/space/astronaut_sideways.jpg", "JPEG", quality=90, exif=exif.tobytes())
