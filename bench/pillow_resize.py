# Times Pillow's resize for the benchmark (bench/resize.mjs): reads a JSON list of cases on
# stdin, prints a JSON list of median milliseconds. Run with Debian's /usr/bin/python3.
import json, os, sys, time
from PIL import Image

FILTERS = {
    "nearest": Image.Resampling.NEAREST, "box": Image.Resampling.BOX, "bilinear": Image.Resampling.BILINEAR,
    "hamming": Image.Resampling.HAMMING, "bicubic": Image.Resampling.BICUBIC, "lanczos": Image.Resampling.LANCZOS,
}

def main():
    cases = json.load(sys.stdin)
    images = {}
    results = []
    for case in cases:
        key = (case["mode"], case["width"], case["height"])
        if key not in images:
            bands = len(case["mode"])
            images[key] = Image.frombytes(case["mode"], (case["width"], case["height"]),
                                          os.urandom(case["width"] * case["height"] * bands))
        image = images[key]
        size = (case["outWidth"], case["outHeight"])
        image.resize(size, FILTERS[case["filter"]])
        times = []
        for _ in range(case["runs"]):
            start = time.perf_counter()
            image.resize(size, FILTERS[case["filter"]])
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        results.append(times[len(times) // 2])
    print(json.dumps(results))

main()
