"""The original TileFlow's benchmark workload on this package: Sobel edges of every channel of
float32 (C, H, W) images, tiled 256x256 with a 16-pixel overlap, as its scripts run it.

    PYTHONPATH=build/python python3 bench/python_bench.py [--cases 8x2048,16x4096,4x8192]

Per case it prints channel-megapixels per second and the peak RSS against input + output:
  fresh   SobelEdgeDetector.process(image[c]) per channel, a new output each (as the
          original's scripts)
  out=    the same into a reused output array
  numpy   a plain numpy tile function (SobelEdgeDetector._sobel_filter), threads=1 and
          threads=all, for the speed-up threads give Python code
Each case runs in a child process so that its peak RSS is its own. Compare against the
original library by running its workload in the same session on the same machine.
"""

import argparse
import os
import subprocess
import sys

CHILD = r"""
import resource, sys, time
import numpy as np
import tileflow
channels, side, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
image = np.random.default_rng(0).random((channels, side, side), dtype=np.float32)
detector = tileflow.SobelEdgeDetector(tile_size=(256, 256), overlap=(16, 16))
start = time.perf_counter()
if mode == "fresh":
    results = [detector.process(image[c]) for c in range(channels)]
elif mode == "out":
    out = np.empty_like(image)
    for c in range(channels):
        detector.process(image[c], out=out[c])
else:
    threads = 1 if mode == "numpy1" else None
    flow = tileflow.TileFlow((256, 256), (16, 16), threads=threads)
    flow.configure(tileflow.SobelEdgeDetector._sobel_filter)
    out = np.empty_like(image)
    for c in range(channels):
        flow.run(image[c], out=out[c])
seconds = time.perf_counter() - start
print(seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="8x2048,16x4096,4x8192")
    parser.add_argument("--modes", default="fresh,out,numpy1,numpyN")
    args = parser.parse_args()
    print(f"{'case':>10} {'mode':>7} {'MP/s':>9} {'peak RSS MiB':>13} {'in+out MiB':>11}")
    for case in args.cases.split(","):
        channels, side = (int(v) for v in case.split("x"))
        data_mib = 2 * channels * side * side * 4 / 2**20
        for mode in args.modes.split(","):
            done = subprocess.run([sys.executable, "-c", CHILD, str(channels), str(side), mode],
                                  capture_output=True, text=True, env=os.environ, check=True)
            seconds, peak = done.stdout.split()
            rate = channels * side * side / float(seconds) / 1e6
            print(f"{case:>10} {mode:>7} {rate:9.0f} {int(peak) / 2**20:13.0f} {data_mib:11.0f}")


if __name__ == "__main__":
    main()
