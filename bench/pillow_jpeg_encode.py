# Pillow's side of the JPEG encode benchmark (bench/jpeg-encode.mjs): reads the cases as one
# JSON line (raw RGB file, size, save options), then one case index per line, and answers
# each with the milliseconds one im.save took (timed here, so that the pipe does not count)
# and the file's length. Run with Debian's /usr/bin/python3.
import io, json, sys, time
from PIL import Image

def main():
    cases = json.loads(sys.stdin.readline())
    images = {}
    print("ready", flush=True)
    for line in sys.stdin:
        case = cases[int(line)]
        if case["path"] not in images:
            with open(case["path"], "rb") as f:
                images = {case["path"]: Image.frombytes("RGB", (case["width"], case["height"]), f.read())}
        buffer = io.BytesIO()
        start = time.perf_counter()
        images[case["path"]].save(buffer, "JPEG", **case["options"])
        elapsed = (time.perf_counter() - start) * 1000
        print(json.dumps([elapsed, buffer.tell()]), flush=True)

main()
