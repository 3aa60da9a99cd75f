"""Files: lazy reading with tileflow.open, streamed outputs in bounded memory, Ctrl-C."""

import os
import pathlib
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tifffile

import tileflow
from tileflow import TileFlow


def test_open_reads_regions_lazily(testdata):
    slide = tileflow.open(testdata / "libvips" / "CMU-1-Small-Region.svs")
    assert slide.shape == (3, 2967, 2220) and slide.dtype == np.uint8
    assert slide.pixel_size == pytest.approx(0.499)
    assert slide.levels[0] == (2967, 2220, 1.0)
    region = slide[:, 100:164, 200:300]
    assert region.shape == (3, 64, 100)
    import openslide
    reference = np.asarray(openslide.OpenSlide(str(testdata / "libvips" / "CMU-1-Small-Region.svs"))
                           .read_region((200, 100), 0, (100, 64)).convert("RGB"))
    assert np.array_equal(region, reference.transpose(2, 0, 1))
    assert slide[1, 100, 200:300].shape == (100,)


def test_open_reads_ome_tiff_and_names_unreadable_files(testdata):
    path = testdata / "libvips" / "multi-channel-z-series.ome.tif"
    image = tileflow.open(path)
    assert image.format == "ome-tiff" and image.shape == (3, 167, 439)
    # tifffile reads the stack as CZYX; this package reads the first Z plane (issue 22).
    assert np.array_equal(image[...], tifffile.imread(path)[:, 0])
    for name in ["openslide-python/unreadable.svs", "openslide-python/unopenable.tiff"]:
        with pytest.raises(OSError, match=name.split("/")[1]):
            tileflow.open(testdata / name)[:, :16, :16]


def test_a_slide_is_a_run_input_for_functions_and_operations(testdata):
    slide = tileflow.open(testdata / "libvips" / "CMU-1-Small-Region.svs")
    whole = slide[:, :, :]
    mine = TileFlow((256, 256), (8, 8)).configure(lambda t: 255 - t).run(slide)
    assert np.array_equal(mine, 255 - whole)
    edges = TileFlow((256, 256), (8, 8)).configure("sobel").run(slide)
    assert np.array_equal(edges, TileFlow((256, 256), (8, 8)).configure("sobel").run(whole))


@pytest.mark.parametrize("suffix", [".npy", ".tif", ".zarr"])
def test_output_files_hold_the_result(tmp_path, suffix):
    image = (np.random.default_rng(0).random((2, 700, 900)) * 60000).astype(np.uint16)
    path = tmp_path / ("out" + suffix)
    written = TileFlow((256, 256), (4, 4)).configure(lambda t: t // 2).run(image, output=path)
    assert isinstance(written, tileflow.SourceStreamable)
    assert np.array_equal(written[:, :, :], image // 2)
    if suffix == ".tif":
        assert np.array_equal(tifffile.imread(path, level=0)[:2] if tifffile.imread(path).ndim == 3
                              else tifffile.imread(path), image // 2)


def test_zarr_arrays_are_read_in_bands(tmp_path):
    import zarr
    image = np.random.default_rng(1).random((1500, 700)).astype(np.float32)
    array = zarr.open(str(tmp_path / "in.zarr"), mode="w", shape=image.shape, chunks=(256, 256),
                      dtype=np.float32)
    array[:] = image
    result = TileFlow((256, 256), (4, 4)).configure(lambda t: t * 2).run(array)
    assert np.array_equal(result, image * 2)


def run_python(code: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, env=os.environ, timeout=600, **kwargs)


def streamed_peak_rss(side: int, path) -> int:
    """Peak RSS of a child that streams the Sobel of a side² u8 slide to an OME-Zarr store."""
    done = run_python(f"""
        import resource, tileflow
        image = tileflow.open("synthetic:{side}x{side}x1:u8")
        tileflow.TileFlow((512, 512), (1, 1)).configure("sobel").run(image, output={str(path)!r})
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
    """)
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split()[-1])


def test_streamed_output_stays_in_bounded_memory(tmp_path):
    """Four times the pixels (144 MB of float32 out, then 576 MB) take no more memory."""
    small = streamed_peak_rss(6000, tmp_path / "small.zarr")
    large = streamed_peak_rss(12000, tmp_path / "large.zarr")
    assert large < small + (64 << 20), f"peak RSS {small >> 20} MiB, then {large >> 20} MiB"
    assert large < 576e6, f"peak RSS {large >> 20} MiB for a 576 MB result"
    assert tileflow.open(tmp_path / "large.zarr").shape == (12000, 12000)


@pytest.mark.parametrize("kind", ["function", "operation"])
def test_ctrl_c_cancels_and_leaves_no_output(tmp_path, kind):
    output = tmp_path / "out.npy"
    what = "lambda t: (time.sleep(0.05), t)[1]" if kind == "function" else "'gaussian', sigma=4"
    process = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time, tileflow
        class Started(tileflow.TileFlowCallback):
            def on_tile_end(self, tile, index, total):
                if index == 2:
                    print("started", flush=True)
        flow = tileflow.TileFlow((256, 256), (16, 16)).configure({what})
        try:
            flow.run(tileflow.open("synthetic:20000x20000x1:u8"), callbacks=[Started()],
                     output={str(output)!r})
        except KeyboardInterrupt:
            print("interrupted", flush=True)
            sys.exit(3)
    """)], stdout=subprocess.PIPE, text=True, env=os.environ)
    assert process.stdout.readline().strip() == "started"
    process.send_signal(signal.SIGINT)
    rest = process.communicate(timeout=120)[0]
    assert process.returncode == 3 and "interrupted" in rest
    assert list(pathlib.Path(tmp_path).iterdir()) == []
