"""The original TileFlow's benchmark workload on this package: Sobel edges of every channel of
float32 (C, H, W) images, tiled 256x256 with a 16-pixel overlap, as its scripts run it.

    PYTHONPATH=build/python python3 bench/python_bench.py [--cases 8x2048,16x4096,4x8192]

Per case it prints channel-megapixels per second (median of --repeat runs) and the peak RSS
against input + output:
  fresh   SobelEdgeDetector.process(image[c]) per channel, a new output each (as the
          original's scripts)
  out     the same into a reused output array (touched before the timing starts)
  numpy   a plain numpy tile function (SobelEdgeDetector._sobel_filter), threads=1 and
          threads=all, for the speed-up threads give Python code
  original  the "fresh" workload on the original library, with ``--original SRC`` (the
          folder holding its ``tileflow`` package), in the same session: the ratios use it
Each case runs in a child process so that its peak RSS is its own. First a child touches as
much memory as the largest case uses and frees it: on a virtual machine, memory the guest has
never touched is backed by the host on first touch, ~7x slower than memory touched before,
and that would be measured as the first case's output pages instead of TileFlow.
"""

import argparse
import os
import statistics
import subprocess
import sys

CHILD = r"""
import resource, sys, time
import numpy as np
import tileflow
channels, side, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
image = np.random.default_rng(0).random((channels, side, side), dtype=np.float32)
detector = tileflow.SobelEdgeDetector(tile_size=(256, 256), overlap=(16, 16))
if mode != "fresh":
    out = np.empty_like(image)
    out.fill(0)  # reused: its pages were touched before
    flow = tileflow.TileFlow((256, 256), (16, 16), threads=1 if mode == "numpy1" else None)
    flow.configure(tileflow.SobelEdgeDetector._sobel_filter)
start = time.perf_counter()
if mode == "fresh":
    results = [detector.process(image[c]) for c in range(channels)]
elif mode == "out":
    for c in range(channels):
        detector.process(image[c], out=out[c])
else:
    for c in range(channels):
        flow.run(image[c], out=out[c])
seconds = time.perf_counter() - start
print(seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


def run_case(channels: int, side: int, mode: str, pythonpath: str,
             repeat: int) -> tuple[float, int]:
    """Median MP/s and largest peak RSS bytes of one case, each run in a child process."""
    env = dict(os.environ, PYTHONPATH=pythonpath)
    rates, peaks = [], []
    for _ in range(repeat):
        done = subprocess.run([sys.executable, "-c", CHILD, str(channels), str(side), mode],
                              capture_output=True, text=True, env=env, check=True)
        seconds, peak = done.stdout.split()[-2:]
        rates.append(channels * side * side / float(seconds) / 1e6)
        peaks.append(int(peak))
    return statistics.median(rates), max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="8x2048,16x4096,4x8192")
    parser.add_argument("--modes", default="fresh,out,numpy1,numpyN")
    parser.add_argument("--original", help="folder holding the original tileflow package")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case (median shown)")
    args = parser.parse_args()
    cases = [tuple(int(v) for v in case.split("x")) for case in args.cases.split(",")]
    largest = max(2 * c * s * s * 4 for c, s in cases)
    subprocess.run([sys.executable, "-c", f"import numpy; numpy.ones({largest // 8 * 3 // 2})"],
                   check=True)
    ours = os.environ.get("PYTHONPATH", "")
    print(f"{'case':>10} {'mode':>8} {'MP/s':>9} {'x original':>11} {'peak RSS MiB':>13} "
          f"{'in+out MiB':>11}")
    for channels, side in cases:
        case = f"{channels}x{side}"
        data_mib = 2 * channels * side * side * 4 / 2**20
        original = None
        if args.original:
            original, peak = run_case(channels, side, "fresh", args.original, args.repeat)
            print(f"{case:>10} {'original':>8} {original:9.1f} {'1.0':>11} {peak / 2**20:13.0f} "
                  f"{data_mib:11.0f}")
        for mode in args.modes.split(","):
            rate, peak = run_case(channels, side, mode, ours, args.repeat)
            ratio = f"{rate / original:.1f}" if original else "-"
            print(f"{case:>10} {mode:>8} {rate:9.0f} {ratio:>11} {peak / 2**20:13.0f} "
                  f"{data_mib:11.0f}")


if __name__ == "__main__":
    main()
