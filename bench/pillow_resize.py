# Pillow's side of the resize benchmark (bench/resize.mjs): reads the cases as one JSON
# line, then one case index per line, and answers each with the milliseconds one resize
# took (timed here, so that the pipe does not count). Run with Debian's /usr/bin/python3.
import json, os, sys, time
from PIL import Image

FILTERS = {
    "nearest": Image.Resampling.NEAREST, "box": Image.Resampling.BOX, "bilinear": Image.Resampling.BILINEAR,
    "hamming": Image.Resampling.HAMMING, "bicubic": Image.Resampling.BICUBIC, "lanczos": Image.Resampling.LANCZOS,
}

def main():
    cases = json.loads(sys.stdin.readline())
    images = {}
    print("ready", flush=True)
    for line in sys.stdin:
        case = cases[int(line)]
        key = (case["mode"], case["width"], case["height"])
        if key not in images:
            bands = len(case["mode"])
            images = {key: Image.frombytes(case["mode"], (case["width"], case["height"]),
                                           os.urandom(case["width"] * case["height"] * bands))}
        start = time.perf_counter()
        images[key].resize((case["outWidth"], case["outHeight"]), FILTERS[case["filter"]])
        print((time.perf_counter() - start) * 1000, flush=True)

main()
