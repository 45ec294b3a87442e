#!/usr/bin/python3
"""Write the Pillow reference data ("goldens") for the image kernels.

For every kernel family this writes, next to this file:

    <family>.json    the manifest: inputs, cases (Pillow arguments and expected output)
    <family>.bin.gz  gzip of the concatenated packed pixel buffers the manifest points into

Pixel buffers are packed row-major, 1/2/3/4 bytes per pixel for L/LA/RGB/RGBA, exactly as
Pillow's ``Image.tobytes()`` gives them. Every input is stored once and referenced by name.

The script is deterministic: inputs come from a seeded integer hash (no random module, no
clock) and from the photographs in ``test/fixtures/photos``; gzip streams carry no time
stamp or file name. It refuses to run on any Pillow other than 9.4.0, the version the
golden data belongs to. Run it from anywhere:

    /usr/bin/python3 test/goldens/make_goldens.py
"""

import gzip
import hashlib
import json
import sys
from pathlib import Path

import PIL
from PIL import Image, ImageFilter

PILLOW_VERSION = "9.4.0"
FORMAT_VERSION = 1

HERE = Path(__file__).resolve().parent
PHOTOS = HERE.parent / "fixtures" / "photos"

MODES = ("L", "LA", "RGB", "RGBA")
BYTES_PER_PIXEL = {"L": 1, "LA": 2, "RGB": 3, "RGBA": 4}
SIZES = ((1, 1), (1, 7), (7, 1), (13, 11), (37, 29), (64, 48), (97, 61))

FILTERS = {
    "nearest": Image.Resampling.NEAREST,
    "box": Image.Resampling.BOX,
    "bilinear": Image.Resampling.BILINEAR,
    "hamming": Image.Resampling.HAMMING,
    "bicubic": Image.Resampling.BICUBIC,
    "lanczos": Image.Resampling.LANCZOS,
}

TRANSPOSES = {
    "flipLeftRight": Image.Transpose.FLIP_LEFT_RIGHT,
    "flipTopBottom": Image.Transpose.FLIP_TOP_BOTTOM,
    "rotate90": Image.Transpose.ROTATE_90,
    "rotate180": Image.Transpose.ROTATE_180,
    "rotate270": Image.Transpose.ROTATE_270,
    "transpose": Image.Transpose.TRANSPOSE,
    "transverse": Image.Transpose.TRANSVERSE,
}

FILL_COLORS = {"L": 200, "LA": [200, 100], "RGB": [255, 128, 0], "RGBA": [255, 128, 0, 100]}


# ---------------------------------------------------------------------------
# Deterministic input images
# ---------------------------------------------------------------------------

def hash32(x):
    """lowbias32 integer hash: a well-mixed 32-bit value from a 32-bit key."""
    x &= 0xFFFFFFFF
    x ^= x >> 16
    x = (x * 0x7FEB352D) & 0xFFFFFFFF
    x ^= x >> 15
    x = (x * 0x846CA68B) & 0xFFFFFFFF
    x ^= x >> 16
    return x


def noise(seed, *keys):
    """A reproducible pseudo-random 32-bit value for (seed, keys...)."""
    x = hash32(seed)
    for k in keys:
        x = hash32(x ^ (k & 0xFFFFFFFF))
    return x


def triangle(t):
    """Fold t onto 0..255..1 so that gradients climb and fall without wrapping."""
    t %= 510
    return t if t < 256 else 510 - t


def random_alpha(seed, x, y):
    """Alpha with plenty of exact 0 and 255 and every value between."""
    r = noise(seed, x, y, 0xA1FA)
    kind = r & 15
    if kind < 4:
        return 0
    if kind < 8:
        return 255
    return (r >> 8) & 255


def synthetic(mode, w, h, seed):
    """An image of four quadrants with different content in every channel.

    top-left:     smooth diagonal gradients (alpha: a gradient too)
    top-right:    uniform noise (alpha: random with many 0 and 255)
    bottom-left:  0/255 checkerboards of 1-3 px cells (worst case for ringing filters)
    bottom-right: hard-edged slanted stripes of random values
    For 1-pixel-wide or -high images the quadrants degenerate to halves.
    """
    bands = len(mode)
    has_alpha = mode in ("LA", "RGBA")
    colors = bands - 1 if has_alpha else bands
    kx = (11, 5, 17)
    ky = (3, 13, 6)
    out = bytearray()
    for y in range(h):
        for x in range(w):
            quadrant = (1 if 2 * x >= w else 0) + (2 if 2 * y >= h else 0)
            for c in range(colors):
                if quadrant == 0:
                    v = triangle(x * kx[c] + y * ky[c] + (noise(seed, c) & 511))
                elif quadrant == 1:
                    v = noise(seed, x, y, c) & 255
                elif quadrant == 2:
                    cell = 1 + c
                    v = 255 if ((x // cell + y // cell + c) & 1) else 0
                else:
                    band = (x + (c + 1) * y) // 3
                    v = noise(seed, band, 0x57, c) & 255
                out.append(v)
            if has_alpha:
                if quadrant == 0:
                    out.append(triangle(x * 23 + y * 7 + (noise(seed, 9) & 511)))
                else:
                    out.append(random_alpha(seed, x, y))
    return Image.frombytes(mode, (w, h), bytes(out))


def alpha_grid(seed, alpha_on_x):
    """256x256 RGBA with random colours and alpha = x (or y): every (src, dst) alpha pair."""
    out = bytearray()
    for y in range(256):
        for x in range(256):
            r = noise(seed, x, y)
            out += bytes((r & 255, (r >> 8) & 255, (r >> 16) & 255, x if alpha_on_x else y))
    return Image.frombytes("RGBA", (256, 256), bytes(out))


def photo_alpha(w, h, seed):
    """A plausible alpha for a photograph: radial fade, opaque block, hole, noisy corner."""
    out = bytearray()
    cx, cy = w / 2, h / 2
    for y in range(h):
        for x in range(w):
            if w // 8 <= x < w // 3 and h // 8 <= y < h // 3:
                a = 0
            elif 2 * w // 3 <= x < 7 * w // 8 and h // 8 <= y < h // 3:
                a = 255
            elif x >= 3 * w // 4 and y >= 3 * h // 4:
                a = random_alpha(seed, x, y)
            else:
                d = ((x - cx) ** 2 / cx ** 2 + (y - cy) ** 2 / cy ** 2) ** 0.5
                a = max(0, min(255, int(round(255 * (1.25 - d)))))
            out.append(a)
    return Image.frombytes("L", (w, h), bytes(out))


def photo_modes(rgb, seed):
    """The four modes of one photograph: RGB, its luma, and both with a synthetic alpha."""
    alpha = photo_alpha(rgb.width, rgb.height, seed)
    lum = rgb.convert("L")
    rgba = rgb.copy()
    rgba.putalpha(alpha)
    la = lum.copy()
    la.putalpha(alpha)
    return {"L": lum, "LA": la, "RGB": rgb, "RGBA": rgba}


def load_photo(filename, crop):
    im = Image.open(PHOTOS / filename)
    im.load()
    return im.convert("RGB").crop(crop)


class InputCatalogue:
    """Every input image any family may use, built once, by name."""

    def __init__(self):
        self.images = {}
        self.sources = {}
        for mode_index, mode in enumerate(MODES):
            for w, h in SIZES:
                seed = 100000 * (mode_index + 1) + 1000 * w + h
                self.add(f"{mode}_{w}x{h}", synthetic(mode, w, h, seed),
                         f"synthetic seed={seed}")
                self.add(f"{mode}_{w}x{h}_b", synthetic(mode, w, h, seed + 1000000),
                         f"synthetic seed={seed + 1000000}")
        mask = synthetic("LA", 13, 11, 777).getchannel("A")
        self.add("mask_L_13x11", mask, "synthetic seed=777, alpha channel")
        big_mask = synthetic("LA", 37, 29, 778).getchannel("A")
        self.add("mask_L_37x29", big_mask, "synthetic seed=778, alpha channel")
        self.add("RGBA_256x256_alpha_rows", alpha_grid(4242, False),
                 "synthetic seed=4242, alpha = y")
        self.add("RGBA_256x256_alpha_cols", alpha_grid(4343, True),
                 "synthetic seed=4343, alpha = x")
        chelsea = load_photo("chelsea.png", (100, 50, 325, 200))
        for mode, im in photo_modes(chelsea, 31).items():
            self.add(f"chelsea_{mode}", im,
                     "photo test/fixtures/photos/chelsea.png crop (100, 50, 325, 200)"
                     + ("" if mode == "RGB" else f", as {mode}")
                     + (" with synthetic alpha seed=31" if "A" in mode else ""))
        coffee = load_photo("coffee_300x200.png", (60, 20, 180, 100))
        for mode, im in photo_modes(coffee, 32).items():
            self.add(f"coffee_{mode}", im,
                     "photo test/fixtures/photos/coffee_300x200.png crop (60, 20, 180, 100)"
                     + ("" if mode == "RGB" else f", as {mode}")
                     + (" with synthetic alpha seed=32" if "A" in mode else ""))

    def add(self, name, im, source):
        assert name not in self.images, name
        assert im.mode in MODES, (name, im.mode)
        self.images[name] = im
        self.sources[name] = source

    def __getitem__(self, name):
        return self.images[name]


# ---------------------------------------------------------------------------
# Families: each appends cases; a case runs Pillow on named inputs
# ---------------------------------------------------------------------------

class Family:
    def __init__(self, name, catalogue):
        self.name = name
        self.catalogue = catalogue
        self.cases = []
        self.notes = []
        self.rejects = []
        self.case_names = set()

    def case(self, name, op, call, args, run, input, input2=None, mask=None):
        assert name not in self.case_names, name
        self.case_names.add(name)
        out = run()
        assert out.mode in MODES, (name, out.mode)
        self.cases.append({
            "name": name,
            "op": op,
            "call": call,
            "input": input,
            "input2": input2,
            "mask": mask,
            "args": args,
            "image": out,
        })

    def reject(self, op, call, args, run, input, input2=None, mask=None):
        """Record arguments Pillow refuses, with the exception it raises."""
        try:
            run()
        except Exception as e:  # noqa: BLE001 - the point is to record whatever it raises
            entry = {"op": op, "call": call, "input": input}
            if input2 is not None:
                entry["input2"] = input2
            if mask is not None:
                entry["mask"] = mask
            entry.update(args=args, error=type(e).__name__, message=str(e))
            self.rejects.append(entry)
            return
        raise AssertionError(f"expected Pillow to reject {call}")


def fmt(v):
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def box_label(box):
    return ",".join(fmt(v) for v in box)


# -- resize -----------------------------------------------------------------

def resize_case(fam, input, size, filter=None, box=None, reducing_gap=None, label=None):
    im = fam.catalogue[input]
    args = {"size": list(size)}
    kwargs = {}
    call = f"im.resize({tuple(size)}"
    if filter is not None:
        args["filter"] = filter
        kwargs["resample"] = FILTERS[filter]
        call += f", resample=Image.Resampling.{FILTERS[filter].name}"
    if box is not None:
        args["box"] = list(box)
        kwargs["box"] = tuple(box)
        call += f", box={tuple(box)}"
    if reducing_gap is not None:
        args["reducing_gap"] = reducing_gap
        kwargs["reducing_gap"] = reducing_gap
        call += f", reducing_gap={reducing_gap}"
    call += ")"
    name = f"{input}__{filter or 'default'}_{size[0]}x{size[1]}"
    if box is not None:
        name += f"_box{box_label(box)}"
    if reducing_gap is not None:
        name += f"_gap{fmt(reducing_gap)}"
    if label:
        name += f"_{label}"
    fam.case(name, "resize", call, args, lambda: im.resize(tuple(size), **kwargs), input)


def build_resize(cat):
    fam = Family("resize", cat)
    frac_box = [0.5, 1.25, 30.75, 20.5]
    int_box = [3, 2, 33, 25]
    for mode in MODES:
        s, b, t, g = f"{mode}_37x29", f"{mode}_97x61", f"{mode}_13x11", f"{mode}_64x48"
        photo = f"chelsea_{mode}"
        resize_case(fam, s, (23, 17))  # default filter (bicubic)
        for f in FILTERS:
            resize_case(fam, g, (16, 12), f, label="down4")
            resize_case(fam, b, (36, 23), f, label="down2.7")
            resize_case(fam, s, (23, 17), f, label="down1.6")
            resize_case(fam, b, (50, 10), f, label="anisotropic")
            resize_case(fam, t, (26, 22), f, label="up2")
            resize_case(fam, t, (43, 36), f, label="up3.3")
            resize_case(fam, t, (20, 9), f, label="up_x_down_y")
            resize_case(fam, s, (1, 1), f)
            resize_case(fam, s, (1, 29), f)
            resize_case(fam, s, (37, 1), f)
            resize_case(fam, s, (37, 29), f, label="same_size")
            resize_case(fam, s, (37, 29), f, box=[0.5, 0.5, 36.5, 28.5], label="same_size_shifted")
            resize_case(fam, s, (20, 15), f, box=frac_box)
            resize_case(fam, s, (45, 31), f, box=frac_box)
            resize_case(fam, s, (15, 11), f, box=int_box)
            resize_case(fam, s, (30, 23), f, box=int_box, label="box_size_equals_output")
            resize_case(fam, s, (5, 4), f, box=[3, 0, 3, 29], label="zero_width_box")
            resize_case(fam, f"{mode}_1x7", (3, 5), f)
            resize_case(fam, f"{mode}_7x1", (16, 3), f)
            resize_case(fam, f"{mode}_1x1", (3, 2), f)
            for gap in (1.0, 2.0, 3.0):
                resize_case(fam, b, (12, 7), f, reducing_gap=gap)
            resize_case(fam, b, (13, 9), f, box=[2.5, 3.5, 90.25, 57.75], reducing_gap=2.0)
            resize_case(fam, photo, (64, 43), f)
            resize_case(fam, photo, (31, 21), f, reducing_gap=2.0)
            resize_case(fam, photo, (40, 27), f, box=[10, 5, 200, 140.5], reducing_gap=1.5)
            resize_case(fam, b, (45, 58), f, reducing_gap=1.0, label="reduce2x1")
            resize_case(fam, photo, (61, 47), f, box=[60.25, 40.5, 90.75, 62.25], label="zoom")
    fam.notes += [
        "Image.resize ignores reducing_gap for LA and RGBA with any filter but nearest: it "
        "converts to La/RGBa and calls im.resize(size, resample, box) without it. The LA/RGBA "
        "cases with reducing_gap therefore equal the same cases without it.",
        "Image.resize returns a copy when size equals the image size and box is absent or "
        "equal to (0, 0, width, height).",
        "When every box coordinate is integral and the box size equals the requested size, "
        "the core crops instead of resampling (any filter).",
        "box coordinates are converted to C float (32-bit) before any arithmetic.",
        "A box of zero width or height is accepted and samples the filter around one point.",
        "The default filter (args without 'filter') is bicubic for these modes.",
    ]
    im = cat["RGB_37x29"]
    fam.reject("resize", "im.resize((5, 4), box=(0, 0, 38, 29))",
               {"size": [5, 4], "box": [0, 0, 38, 29]},
               lambda: im.resize((5, 4), box=(0, 0, 38, 29)), "RGB_37x29")
    fam.reject("resize", "im.resize((5, 4), box=(-1, 0, 30, 29))",
               {"size": [5, 4], "box": [-1, 0, 30, 29]},
               lambda: im.resize((5, 4), box=(-1, 0, 30, 29)), "RGB_37x29")
    fam.reject("resize", "im.resize((5, 4), box=(5, 0, 3, 29))",
               {"size": [5, 4], "box": [5, 0, 3, 29]},
               lambda: im.resize((5, 4), box=(5, 0, 3, 29)), "RGB_37x29")
    fam.reject("resize", "im.resize((0, 4))", {"size": [0, 4]},
               lambda: im.resize((0, 4)), "RGB_37x29")
    fam.reject("resize", "im.resize((5, 4), reducing_gap=0.5)",
               {"size": [5, 4], "reducing_gap": 0.5},
               lambda: im.resize((5, 4), reducing_gap=0.5), "RGB_37x29")
    return fam


# -- reduce -----------------------------------------------------------------

def reduce_case(fam, input, factor, box=None):
    im = fam.catalogue[input]
    args = {"factor": list(factor) if isinstance(factor, tuple) else factor}
    label = f"{factor[0]}x{factor[1]}" if isinstance(factor, tuple) else f"{factor}"
    call = f"im.reduce({factor!r}"
    kwargs = {}
    name = f"{input}__reduce{label}"
    if box is not None:
        args["box"] = list(box)
        kwargs["box"] = tuple(box)
        call += f", box={tuple(box)}"
        name += f"_box{box_label(box)}"
    call += ")"
    fam.case(name, "reduce", call, args, lambda: im.reduce(factor, **kwargs), input)


def build_reduce(cat):
    fam = Family("reduce", cat)
    all_factors = [1, 2, 3, 4, 5, 6, 7, 8, (2, 3), (3, 1), (1, 2), (1, 3), (1, 4),
                   (2, 1), (4, 1), (3, 2), (5, 7), (1, 1), 50]
    for mode in MODES:
        for input in (f"{mode}_37x29", f"{mode}_97x61"):
            for factor in all_factors:
                reduce_case(fam, input, factor)
        for factor in (2, 4, 7):
            reduce_case(fam, f"{mode}_64x48", factor)
        for input in (f"{mode}_1x7", f"{mode}_7x1"):
            for factor in (2, 3, 7, (1, 3), (3, 1)):
                reduce_case(fam, input, factor)
        reduce_case(fam, f"{mode}_1x1", 2)
        reduce_case(fam, f"{mode}_13x11", (2, 3))
        for factor in (2, 3, 4, (2, 3)):
            reduce_case(fam, f"chelsea_{mode}", factor)
        for factor in (1, 2, 3, (2, 3), 7, (3, 1)):
            reduce_case(fam, f"{mode}_37x29", factor, box=[3, 2, 33, 25])
        for factor in (4, (3, 1), (1, 2), 5):
            reduce_case(fam, f"{mode}_97x61", factor, box=[5, 4, 90, 57])
        reduce_case(fam, f"{mode}_37x29", 1, box=[0, 0, 37, 29])
    fam.notes += [
        "Image.reduce converts LA/RGBA to La/RGBa, reduces, and converts back.",
        "factor (1, 1) with no box (or the full box) returns a copy; factor (1, 1) with a "
        "box crops.",
        "Output size is ceil(box width / xscale) x ceil(box height / yscale); a factor larger "
        "than the image gives 1x1.",
    ]
    im = cat["RGB_37x29"]
    fam.reject("reduce", "im.reduce(0)", {"factor": 0}, lambda: im.reduce(0), "RGB_37x29")
    fam.reject("reduce", "im.reduce(2, box=(0.5, 0, 10, 10))",
               {"factor": 2, "box": [0.5, 0, 10, 10]},
               lambda: im.reduce(2, box=(0.5, 0, 10, 10)), "RGB_37x29")
    fam.reject("reduce", "im.reduce(2, box=(3, 3, 3, 10))",
               {"factor": 2, "box": [3, 3, 3, 10]},
               lambda: im.reduce(2, box=(3, 3, 3, 10)), "RGB_37x29")
    fam.reject("reduce", "im.reduce(2, box=(0, 0, 40, 10))",
               {"factor": 2, "box": [0, 0, 40, 10]},
               lambda: im.reduce(2, box=(0, 0, 40, 10)), "RGB_37x29")
    return fam


# -- convert ----------------------------------------------------------------

def build_convert(cat):
    fam = Family("convert", cat)
    groups = [f"{w}x{h}" for w, h in SIZES] + ["photo_coffee"]
    for group in groups:
        for src in MODES:
            input = f"coffee_{src}" if group == "photo_coffee" else f"{src}_{group}"
            im = cat[input]
            for dst in MODES:
                fam.case(f"{input}__to_{dst}", "convert", f"im.convert({dst!r})",
                         {"mode": dst}, lambda im=im, dst=dst: im.convert(dst), input)
    fam.notes += [
        "Every ordered pair of L, LA, RGB, RGBA has a direct converter in Convert.c; "
        "converting to the same mode returns a copy.",
    ]
    return fam


# -- crop -------------------------------------------------------------------

def build_crop(cat):
    fam = Family("crop", cat)
    boxes = [
        ("inside", [3, 2, 20, 15]),
        ("whole", [0, 0, 37, 29]),
        ("single_pixel", [36, 28, 37, 29]),
        ("negative_origin", [-5, -3, 10, 8]),
        ("beyond_edges", [30, 20, 45, 35]),
        ("covers_all", [-2, -2, 40, 31]),
        ("outside_right_below", [50, 40, 60, 45]),
        ("outside_left_above", [-20, -10, -5, -2]),
        ("outside_touching", [37, 0, 40, 29]),
        ("zero_width", [5, 5, 5, 20]),
        ("zero_height", [5, 5, 20, 5]),
        ("zero_size", [0, 0, 0, 0]),
        ("fractional_half_even", [0.5, 1.5, 10.5, 8.5]),
        ("fractional", [2.4, 3.6, 12.5, 13.49]),
    ]
    for mode in MODES:
        for input in (f"{mode}_37x29", f"{mode}_1x7"):
            for label, box in boxes:
                im = cat[input]
                fam.case(f"{input}__crop_{label}", "crop", f"im.crop({tuple(box)})",
                         {"box": box}, lambda im=im, box=box: im.crop(tuple(box)), input)
        input = f"coffee_{mode}"
        for label, box in (("inside", [10, 7, 90, 61]), ("beyond_edges", [100, 60, 140, 95])):
            im = cat[input]
            fam.case(f"{input}__crop_{label}", "crop", f"im.crop({tuple(box)})",
                     {"box": box}, lambda im=im, box=box: im.crop(tuple(box)), input)
    fam.notes += [
        "Image.crop rounds every coordinate with Python's round() (half to even) before cropping.",
        "Pixels outside the source are zero in every byte (alpha 0 for LA/RGBA).",
    ]
    im = cat["RGB_37x29"]
    fam.reject("crop", "im.crop((5, 0, 3, 4))", {"box": [5, 0, 3, 4]},
               lambda: im.crop((5, 0, 3, 4)), "RGB_37x29")
    fam.reject("crop", "im.crop((0, 5, 3, 4))", {"box": [0, 5, 3, 4]},
               lambda: im.crop((0, 5, 3, 4)), "RGB_37x29")
    return fam


# -- transpose --------------------------------------------------------------

def build_transpose(cat):
    fam = Family("transpose", cat)
    for mode in MODES:
        inputs = [f"{mode}_{w}x{h}" for w, h in ((1, 1), (1, 7), (7, 1), (13, 11), (37, 29))]
        inputs.append(f"coffee_{mode}")
        for input in inputs:
            im = cat[input]
            for method, value in TRANSPOSES.items():
                fam.case(f"{input}__{method}", "transpose",
                         f"im.transpose(Image.Transpose.{value.name})", {"method": method},
                         lambda im=im, value=value: im.transpose(value), input)
    return fam


# -- composite --------------------------------------------------------------

def build_composite(cat):
    fam = Family("composite", cat)

    pairs = [("RGBA_1x1", "RGBA_1x1_b"), ("RGBA_13x11", "RGBA_13x11_b"),
             ("RGBA_37x29", "RGBA_37x29_b"), ("RGBA_64x48", "RGBA_64x48_b"),
             ("RGBA_256x256_alpha_rows", "RGBA_256x256_alpha_cols")]
    for dst, src in pairs:
        a, b = cat[dst], cat[src]
        fam.case(f"{dst}__alpha_composite__{src}", "alpha_composite",
                 "Image.alpha_composite(im, im2)", {},
                 lambda a=a, b=b: Image.alpha_composite(a, b), dst, input2=src)

    base, over = "RGBA_37x29", "RGBA_13x11_b"
    inplace = [
        ("defaults", {}),
        ("dest5,3", {"dest": [5, 3]}),
        ("dest_partly_outside", {"dest": [30, 25]}),
        ("dest_negative", {"dest": [-4, -3]}),
        ("source2,1", {"source": [2, 1]}),
        ("source_rect", {"source": [2, 1, 10, 9]}),
        ("source_rect_beyond", {"source": [5, 5, 20, 20]}),
        ("dest_and_source", {"dest": [20, 10], "source": [3, 2, 12, 11]}),
        ("source_empty", {"dest": [4, 4], "source": [3, 3, 3, 3]}),
    ]
    for label, args in inplace:
        def run(args=args):
            out = cat[base].copy()
            out.alpha_composite(cat[over], **{k: tuple(v) for k, v in args.items()})
            return out
        call = "im.alpha_composite(im2" + "".join(
            f", {k}={tuple(v)}" for k, v in args.items()) + ")"
        fam.case(f"{base}__alpha_composite_inplace_{label}__{over}", "alpha_composite_inplace",
                 call, args, run, base, input2=over)
    # the in-place form on a photograph with a synthetic overlay
    fam.case("chelsea_RGBA__alpha_composite_inplace_dest__RGBA_64x48_b",
             "alpha_composite_inplace", "im.alpha_composite(im2, dest=(100, 70))",
             {"dest": [100, 70]},
             lambda: _inplace(cat["chelsea_RGBA"], cat["RGBA_64x48_b"], dest=(100, 70)),
             "chelsea_RGBA", input2="RGBA_64x48_b")

    for mode in MODES:
        dst, src = f"{mode}_37x29", f"{mode}_13x11_b"
        variants = [
            ("no_box", None, None),
            ("at5,3", [5, 3], None),
            ("partly_outside", [30, 25], None),
            ("negative", [-4, -3], None),
            ("box4", [5, 3, 18, 14], None),
            ("mask_L", [5, 3], "mask_L_13x11"),
            ("mask_L_partly_outside", [-4, 20], "mask_L_13x11"),
            ("mask_RGBA", [6, 2], "RGBA_13x11"),
            ("mask_LA", [6, 2], "LA_13x11"),
        ]
        if mode in ("LA", "RGBA"):
            variants += [("own_alpha", [5, 3], src), ("own_alpha_partly_outside", [30, 25], src)]
        for label, box, mask in variants:
            fam.case(f"{dst}__paste_{label}__{src}", "paste",
                     _paste_call("im2", box, mask, src),
                     {} if box is None else {"box": box},
                     lambda box=box, mask=mask: _paste(cat[dst], cat[src], box,
                                                       None if mask is None else cat[mask]),
                     dst, input2=src, mask=mask)
        color = FILL_COLORS[mode]
        fills = [
            ("no_mask", [5, 3, 18, 14], None),
            ("no_mask_partly_outside", [30, 25, 43, 36], None),
            ("mask_L", [5, 3, 18, 14], "mask_L_13x11"),
            ("mask_L_partly_outside", [30, 25, 43, 36], "mask_L_13x11"),
            ("mask_RGBA", [5, 3, 18, 14], "RGBA_13x11"),
            ("mask_L_whole", [0, 0, 37, 29], "mask_L_37x29"),
        ]
        for label, box, mask in fills:
            ink = tuple(color) if isinstance(color, list) else color
            fam.case(f"{dst}__fill_{label}", "paste_fill",
                     _paste_call(repr(ink), box, mask, None),
                     {"color": color, "box": box},
                     lambda box=box, mask=mask, ink=ink: _paste(
                         cat[dst], ink, box, None if mask is None else cat[mask]),
                     dst, mask=mask)
    # photographs: an RGBA overlay pasted through its own alpha (the usual "logo" paste)
    fam.case("chelsea_RGBA__paste_own_alpha__RGBA_64x48_b", "paste",
             _paste_call("im2", [100, 70], "RGBA_64x48_b", "RGBA_64x48_b"), {"box": [100, 70]},
             lambda: _paste(cat["chelsea_RGBA"], cat["RGBA_64x48_b"], [100, 70],
                            cat["RGBA_64x48_b"]),
             "chelsea_RGBA", input2="RGBA_64x48_b", mask="RGBA_64x48_b")
    # mixed modes: Image.paste converts the source to the destination's mode, except an
    # LA/RGBA source into RGB, whose 4-byte pixels are copied as they are
    mixed = [
        ("RGB_37x29", "L_13x11_b", [5, 3], None),
        ("RGB_37x29", "RGBA_13x11_b", [5, 3], None),
        ("RGB_37x29", "RGBA_13x11_b", [5, 3], "RGBA_13x11_b"),
        ("RGB_37x29", "LA_13x11_b", [5, 3], None),
        ("RGBA_37x29", "RGB_13x11_b", [5, 3], "mask_L_13x11"),
        ("L_37x29", "RGBA_13x11_b", [5, 3], "RGBA_13x11_b"),
        ("LA_37x29", "RGBA_13x11_b", [5, 3], "RGBA_13x11_b"),
    ]
    for dst, src, box, mask in mixed:
        fam.case(f"{dst}__paste_mixed__{src}" + (f"__mask_{mask}" if mask else ""), "paste",
                 _paste_call("im2", box, mask, src), {"box": box},
                 lambda dst=dst, src=src, box=box, mask=mask: _paste(
                     cat[dst], cat[src], box, None if mask is None else cat[mask]),
                 dst, input2=src, mask=mask)

    fam.notes += [
        "Image.alpha_composite (and the in-place im.alpha_composite) accept RGBA only; LA "
        "raises ValueError('image has wrong mode'), so there are no LA cases.",
        "paste with a mask blends every byte, the alpha channel included: it is not an 'over' "
        "composite.",
        "paste_fill with an L mask into LA/RGBA replaces the colour channels fully (mask 255) "
        "wherever the destination alpha is 0 and the mask is not 0; the alpha channel itself "
        "uses the mask unchanged.",
        "An RGB mask, and an LA or La mask for a colour fill, are rejected "
        "('bad transparency mask').",
        "In a case, 'mask' equal to 'input2' means the source image was passed as its own mask.",
    ]
    la, la2 = cat["LA_13x11"], cat["LA_13x11_b"]
    fam.reject("alpha_composite", "Image.alpha_composite(im, im2)", {},
               lambda: Image.alpha_composite(la, la2), "LA_13x11", input2="LA_13x11_b")
    rgb, rgb2 = cat["RGB_13x11"], cat["RGB_13x11_b"]
    fam.reject("alpha_composite", "Image.alpha_composite(im, im2)", {},
               lambda: Image.alpha_composite(rgb, rgb2), "RGB_13x11", input2="RGB_13x11_b")
    fam.reject("alpha_composite", "Image.alpha_composite(im, im2)", {},
               lambda: Image.alpha_composite(cat["RGBA_37x29"], cat["RGBA_13x11"]),
               "RGBA_37x29", input2="RGBA_13x11")
    fam.reject("alpha_composite_inplace", "im.alpha_composite(im2, source=(-1, 0))",
               {"source": [-1, 0]},
               lambda: cat["RGBA_37x29"].copy().alpha_composite(cat["RGBA_13x11"], source=(-1, 0)),
               "RGBA_37x29", input2="RGBA_13x11")
    fam.reject("paste", "im.paste(im2, (0, 0), mask)", {"box": [0, 0]},
               lambda: cat["RGB_37x29"].copy().paste(rgb, (0, 0), rgb2),
               "RGB_37x29", input2="RGB_13x11", mask="RGB_13x11_b")
    fam.reject("paste_fill", "im.paste((255, 128, 0), (5, 3, 18, 14), mask)",
               {"color": [255, 128, 0], "box": [5, 3, 18, 14]},
               lambda: cat["RGB_37x29"].copy().paste((255, 128, 0), (5, 3, 18, 14), la),
               "RGB_37x29", mask="LA_13x11")
    return fam


def _inplace(base, over, **kwargs):
    out = base.copy()
    out.alpha_composite(over, **kwargs)
    return out


def _paste(base, src, box, mask):
    out = base.copy()
    out.paste(src, None if box is None else tuple(box), mask)
    return out


def _paste_call(src, box, mask, src_name):
    box_text = "None" if box is None else repr(tuple(box))
    if mask is None:
        return f"im.paste({src}, {box_text})" if box is not None else f"im.paste({src})"
    mask_text = "im2" if mask == src_name else "mask"
    return f"im.paste({src}, {box_text}, {mask_text})"


# -- blur -------------------------------------------------------------------

def build_blur(cat):
    fam = Family("blur", cat)
    box_radii = (0, 0.5, 1, 1.7, 2, 3.5, 10, 50)
    gauss_radii = (0, 0.5, 1, 1.7, 2, 5, 12.3, 40)
    small_radii = (0.5, 2, 20)

    def blur(input, kind, radius):
        im = cat[input]
        if kind == "box_blur":
            flt, call = ImageFilter.BoxBlur(radius), f"im.filter(ImageFilter.BoxBlur({radius}))"
        else:
            flt, call = (ImageFilter.GaussianBlur(radius),
                         f"im.filter(ImageFilter.GaussianBlur({radius}))")
        fam.case(f"{input}__{kind}_{fmt(radius)}", kind, call, {"radius": radius},
                 lambda: im.filter(flt), input)

    for mode in MODES:
        for r in box_radii:
            blur(f"{mode}_37x29", "box_blur", r)
        for r in gauss_radii:
            blur(f"{mode}_37x29", "gaussian_blur", r)
        for size in ("1x1", "1x7", "7x1", "13x11"):
            for r in small_radii:
                blur(f"{mode}_{size}", "box_blur", r)
                blur(f"{mode}_{size}", "gaussian_blur", r)
        for r in (1.7, 5):
            blur(f"{mode}_97x61", "box_blur", r)
            blur(f"{mode}_97x61", "gaussian_blur", r)
        blur(f"coffee_{mode}", "box_blur", 2)
        for r in (0.5, 1.7, 5):
            blur(f"coffee_{mode}", "gaussian_blur", r)
    fam.notes += [
        "Blurs work on the stored bytes as they are: LA and RGBA are not premultiplied.",
        "GaussianBlur(radius) is an extended box blur with 3 passes; BoxBlur(radius) is one pass.",
        "Pillow 9.4 does not validate the radius: a negative radius is accepted and gives "
        "meaningless output (not recorded).",
    ]
    return fam


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------

def image_entry(im, blob):
    data = im.tobytes()
    assert len(data) == im.width * im.height * BYTES_PER_PIXEL[im.mode]
    entry = {"mode": im.mode, "width": im.width, "height": im.height,
             "offset": len(blob), "length": len(data)}
    blob += data
    return entry


def manifest_text(manifest):
    """JSON with one input, case or reject per line: readable, and small diffs on change."""
    def one_line(value):
        return json.dumps(value, separators=(", ", ": "))

    lines = ["{"]
    keys = list(manifest)
    for i, key in enumerate(keys):
        value = manifest[key]
        comma = "," if i < len(keys) - 1 else ""
        if key == "inputs":
            items = [f"  {json.dumps(k)}: {one_line(v)}" for k, v in value.items()]
            lines.append(f' "{key}": {{')
            lines.append(",\n".join(items))
            lines.append(f" }}{comma}")
        elif key in ("cases", "rejects", "notes") and value:
            lines.append(f' "{key}": [')
            lines.append(",\n".join(f"  {one_line(v)}" for v in value))
            lines.append(f" ]{comma}")
        else:
            lines.append(f" {json.dumps(key)}: {one_line(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_family(fam):
    used = []
    for case in fam.cases:
        for key in ("input", "input2", "mask"):
            name = case[key]
            if name is not None and name not in used:
                used.append(name)
    blob = bytearray()
    inputs = {}
    for name in used:
        entry = image_entry(fam.catalogue[name], blob)
        entry["source"] = fam.catalogue.sources[name]
        inputs[name] = entry
    cases = []
    for case in fam.cases:
        out = {"name": case["name"], "op": case["op"], "call": case["call"],
               "input": case["input"]}
        if case["input2"] is not None:
            out["input2"] = case["input2"]
        if case["mask"] is not None:
            out["mask"] = case["mask"]
        out["args"] = case["args"]
        out["output"] = image_entry(case["image"], blob)
        cases.append(out)
    raw = bytes(blob)
    manifest = {
        "family": fam.name,
        "format": FORMAT_VERSION,
        "pillowVersion": PIL.__version__,
        "generator": "test/goldens/make_goldens.py",
        "pixels": {"file": f"{fam.name}.bin.gz", "length": len(raw),
                   "sha256": hashlib.sha256(raw).hexdigest()},
        "layout": "packed row-major; bytes per pixel L=1, LA=2, RGB=3, RGBA=4 (Image.tobytes())",
        "notes": fam.notes,
        "inputs": inputs,
        "cases": cases,
        "rejects": fam.rejects,
    }
    gz = gzip.compress(raw, compresslevel=9, mtime=0)
    (HERE / f"{fam.name}.bin.gz").write_bytes(gz)
    (HERE / f"{fam.name}.json").write_text(manifest_text(manifest), encoding="utf-8")
    return len(cases), len(inputs), len(raw), len(gz)


def main():
    if PIL.__version__ != PILLOW_VERSION:
        sys.exit(f"make_goldens.py: Pillow {PILLOW_VERSION} required (Debian bookworm's "
                 f"python3-pil), found {PIL.__version__} at {PIL.__file__}")
    catalogue = InputCatalogue()
    builders = [build_resize, build_reduce, build_convert, build_crop, build_transpose,
                build_composite, build_blur]
    total_raw = total_gz = total_cases = 0
    print(f"Pillow {PIL.__version__}: writing goldens to {HERE}")
    print(f"{'family':<10} {'cases':>6} {'inputs':>6} {'rejects':>7} "
          f"{'raw bytes':>11} {'gz bytes':>10}")
    for build in builders:
        fam = build(catalogue)
        n_cases, n_inputs, raw, gz = write_family(fam)
        total_cases += n_cases
        total_raw += raw
        total_gz += gz
        print(f"{fam.name:<10} {n_cases:>6} {n_inputs:>6} {len(fam.rejects):>7} {raw:>11} {gz:>10}")
    print(f"{'total':<10} {total_cases:>6} {'':>6} {'':>7} {total_raw:>11} {total_gz:>10}")


if __name__ == "__main__":
    main()
