"""TileFlow runs: the original's grid and contract, our engine's results, and what differs."""

import inspect
import threading

import numpy as np
import pytest
from scipy import ndimage

import tileflow
from tileflow import TileFlow
from tileflow.callback import TileFlowCallback
from tileflow.tiling import GridSpec


def scipy_sobel(image):
    """sqrt(gx² + gy²) of scipy's float32 Sobel derivatives, per plane of the last two axes."""
    x = np.asarray(image, np.float32)
    planes = x.reshape((-1,) + x.shape[-2:])
    out = []
    for p in planes:
        gx = ndimage.sobel(p, axis=1, mode="mirror")
        gy = ndimage.sobel(p, axis=0, mode="mirror")
        out.append(np.sqrt(gx * gx + gy * gy))
    return np.stack(out).reshape(x.shape)


def test_public_names_and_defaults():
    for name in ["TileFlow", "BBox", "BoundaryEdges", "ProcessedTile", "TileGeometry", "TileSpec",
                 "new_image", "Streamable", "NumpyStreamable", "ZarrStreamable", "as_streamable",
                 "TileFlowCallback", "ProcessingStats", "ProgressCallback", "MetricsCallback",
                 "MemoryTracker", "CodeCarbonTracker", "CompositeCallback", "SobelEdgeDetector",
                 "generate_multichannel_image", "generate_test_image", "estimate_memory_usage",
                 "validate_overlap", "validate_tile_size"]:
        assert hasattr(tileflow, name), name
    from tileflow.core import TilePosition  # noqa: F401
    from tileflow.examples import max_filter2d, perlin_fbm  # noqa: F401
    from tileflow.reconstruction import reconstruct  # noqa: F401
    params = inspect.signature(TileFlow).parameters
    assert [p for p in params][:5] == ["tile_size", "overlap", "chunk_size", "chunk_overlap",
                                      "name"]
    assert params["overlap"].default == (0, 0)
    assert params["chunk_size"].default is None
    assert params["chunk_overlap"].default == (16, 16)
    assert params["name"].default == "TileFlow"
    run = inspect.signature(TileFlow.run).parameters
    assert run["callbacks"].default is None and run["return_tiles"].default is False
    sobel = inspect.signature(tileflow.SobelEdgeDetector).parameters
    assert sobel["tile_size"].default == (128, 128) and sobel["overlap"].default == (8, 8)


def cores_and_halos(width):
    tiles = [s for s in GridSpec((256, 256), (16, 16)).build_grid((256, width))]
    return [(t.geometry.core.x0, t.geometry.core.x1, t.geometry.halo.x0, t.geometry.halo.x1)
            for t in tiles]


def test_grid_rule_on_the_reference_examples():
    assert cores_and_halos(1024) == [(0, 256, 0, 272), (256, 512, 240, 528),
                                     (512, 768, 496, 784), (768, 1024, 752, 1024)]
    assert cores_and_halos(1000)[-1] == (768, 1000, 752, 1000)
    assert cores_and_halos(1100)[-1] == (768, 1100, 752, 1100)
    assert len(cores_and_halos(1152)) == 4 and cores_and_halos(1152)[-1][:2] == (768, 1152)
    assert len(cores_and_halos(1153)) == 5 and cores_and_halos(1153)[-1] == (1024, 1153, 1008, 1153)
    for width in (256, 300, 384):
        assert cores_and_halos(width) == [(0, width, 0, width)]
    assert cores_and_halos(385) == [(0, 256, 0, 272), (256, 385, 240, 385)]


def test_the_function_sees_the_original_tiles_as_read_only_views():
    image = np.arange(3 * 600 * 700, dtype=np.uint16).reshape(3, 600, 700)
    seen = []
    lock = threading.Lock()

    def function(tile, spec):
        with lock:
            seen.append((spec, tile.shape, np.shares_memory(tile, image), tile.flags.writeable))
        with pytest.raises(ValueError):
            tile[..., 0, 0] = 1
        return tile

    result = TileFlow((256, 256), (16, 16)).configure(function).run(image)
    assert np.array_equal(result, image) and result.dtype == np.uint16
    expected = list(GridSpec((256, 256), (16, 16)).build_grid((600, 700)))
    assert sorted(s[0] for s in seen) == sorted(expected)
    for spec, shape, shared, writeable in seen:
        assert shape == (3,) + spec.geometry.halo.shape
        assert shared and not writeable


def test_one_argument_functions_and_leading_axes():
    image = np.random.default_rng(0).random((2, 3, 300, 400)).astype(np.float32)
    result = TileFlow((128, 128), (8, 8)).configure(lambda tile: tile * 2).run(image)
    assert result.shape == image.shape and np.array_equal(result, image * 2)


def test_outputs_may_change_channels_and_dtype():
    image = np.random.default_rng(1).random((5, 300, 300)).astype(np.float32)
    result = TileFlow((128, 128), (8, 8)).configure(
        lambda t: (t.mean(axis=0, keepdims=True) > 0.5).astype(np.uint8)).run(image)
    assert result.shape == (1, 300, 300) and result.dtype == np.uint8
    assert np.array_equal(result, (image.mean(axis=0, keepdims=True) > 0.5).astype(np.uint8))
    listed = TileFlow((128, 128), (8, 8)).configure(lambda t: [t[0], t[1]]).run(image)
    assert isinstance(listed, list) and len(listed) == 2
    assert np.array_equal(listed[1], image[1])


def test_a_numpy_tile_function_is_seamless_with_enough_overlap():
    image = np.random.default_rng(2).random((700, 900)).astype(np.float32)
    result = TileFlow((256, 256), (16, 16)).configure(
        tileflow.SobelEdgeDetector._sobel_filter).run(image)
    assert np.array_equal(result, scipy_sobel(image))


@pytest.mark.parametrize("shape", [(1000, 1100), (3, 517, 1153)])
def test_builtin_sobel_is_bit_identical_to_scipy(shape):
    image = (np.random.default_rng(3).random(shape) * 1000).astype(np.float32)
    result = TileFlow((256, 256), (16, 16)).configure("sobel").run(image)
    assert result.dtype == np.float32 and np.array_equal(result, scipy_sobel(image))
    detector = tileflow.SobelEdgeDetector(tile_size=(256, 256), overlap=(16, 16))
    assert np.array_equal(detector.process(image), scipy_sobel(image))
    out = np.empty(shape, np.float32)
    assert detector.process(image, out=out) is out and np.array_equal(out, scipy_sobel(image))


def test_builtin_operations_by_id_with_parameters():
    image = np.random.default_rng(4).random((600, 600)).astype(np.float32)
    with pytest.warns(UserWarning, match="raised"):
        result = TileFlow((256, 256), (2, 2)).configure("gaussian", sigma=2).run(image)
    expected = ndimage.gaussian_filter(image, 2.0, mode="reflect", truncate=4.0)
    np.testing.assert_allclose(result, expected, rtol=0, atol=2e-6)
    op = tileflow.operation("gaussian", sigma=2)
    assert op.radius == 8
    with pytest.raises(ValueError, match="sigma"):
        tileflow.operation("gaussian", sigma=-1)
    with pytest.raises(ValueError, match="unknown operation"):
        tileflow.operation("no-such-operation")
    assert {"sobel", "gaussian", "stretch", "threshold", "nuclei", "tissue", "ratio"} <= {
        o["id"] for o in tileflow.operations()}


def test_chunk_mode_returns_the_result_and_calls_the_chunk_function():
    image = np.random.default_rng(5).random((1000, 1200)).astype(np.float32)
    chunks = []
    flow = TileFlow((128, 128), (8, 8), chunk_size=(512, 512), chunk_overlap=(16, 16))
    flow.configure(tileflow.SobelEdgeDetector._sobel_filter,
                   chunk_function=lambda out, spec: chunks.append((out.shape, spec)))
    result = flow.run(image)
    assert np.array_equal(result, scipy_sobel(image))
    specs = list(GridSpec((512, 512), (16, 16)).build_grid((1000, 1200)))
    assert [c[1] for c in chunks] == specs
    assert [c[0] for c in chunks] == [s.geometry.halo.shape for s in specs]
    builtin = TileFlow((128, 128), (8, 8), chunk_size=(512, 512)).configure("sobel").run(image)
    assert np.array_equal(builtin, scipy_sobel(image))


class Recorder(TileFlowCallback):
    def __init__(self):
        self.events = []

    def on_processing_start(self, stats):
        self.events.append(("start", stats.total_tiles, stats.total_chunks))

    def on_chunk_start(self, index, total, shape):
        self.events.append(("chunk_start", index, total))

    def on_chunk_end(self, index, total, shape):
        self.events.append(("chunk_end", index, total))

    def on_tile_start(self, tile, index, total):
        self.events.append(("tile_start", index, total, tile.image_data))

    def on_tile_end(self, tile, index, total):
        self.events.append(("tile_end", index, total, len(tile.image_data)))

    def on_processing_end(self, stats):
        self.events.append(("end", stats.processed_tiles, stats.elapsed_time is not None,
                            stats.output_shape))


@pytest.mark.parametrize("chunked", [False, True])
def test_callbacks_see_real_totals_in_order(chunked):
    image = np.zeros((700, 800), np.float32)
    chunk = (384, 384) if chunked else None
    flow = TileFlow((128, 128), (8, 8), chunk_size=chunk).configure(lambda t: t + 1)
    recorder = Recorder()
    flow.run(image, callbacks=[recorder])
    events = recorder.events
    total = events[0][1]
    assert events[0][0] == "start" and total > 0
    assert events[-1] == ("end", total, True, (700, 800))
    starts = [e[1] for e in events if e[0] == "tile_start"]
    ends = [e[1] for e in events if e[0] == "tile_end"]
    assert sorted(starts) == sorted(ends) == list(range(total))
    for e in events:
        if e[0] == "tile_start":
            assert e[2] == total and e[3] == []
            assert events.index(e) < next(i for i, f in enumerate(events)
                                          if f[0] == "tile_end" and f[1] == e[1])
    if chunked:
        assert events[0][2] == 4
        assert [e[1] for e in events if e[0] == "chunk_end"] == [0, 1, 2, 3]


def test_a_callback_exception_fails_the_run():
    class Broken(TileFlowCallback):
        def on_tile_end(self, tile, index, total):
            raise ZeroDivisionError("from the callback")

    with pytest.raises(ZeroDivisionError, match="from the callback"):
        TileFlow((64, 64)).configure(lambda t: t).run(np.zeros((256, 256)), callbacks=[Broken()])


def test_a_failing_tile_is_named_with_its_exception_as_cause():
    def function(tile, spec):
        if spec.position.position == (1, 2):
            raise TypeError("inside the function")
        return tile

    with pytest.raises(tileflow.TileError, match=r"\(1, 2\)") as caught:
        TileFlow((64, 64)).configure(function).run(np.zeros((256, 256)))
    assert isinstance(caught.value.__cause__, TypeError)
    assert isinstance(caught.value, TypeError)  # `except TypeError` written for the original
    assert caught.value.tile.position.position == (1, 2)


def test_argument_errors_are_the_originals():
    with pytest.raises(ValueError, match="tile_size must be a tuple of 2 integers"):
        TileFlow((256,))
    with pytest.raises(ValueError, match="must contain integers"):
        TileFlow((256.0, 256))
    with pytest.raises(ValueError, match="must be non-negative"):
        TileFlow((256, 256), (-1, 0))
    with pytest.raises(ValueError, match="Overlap height 128 must be less than half tile height"):
        TileFlow((256, 256), (128, 0))
    with pytest.raises(RuntimeError, match="must be configured before use"):
        TileFlow((64, 64)).run(np.zeros((128, 128)))
    with pytest.raises(TypeError, match="function must be callable"):
        TileFlow((64, 64)).configure(42)
    with pytest.raises(TypeError, match="must be callable or the id of a built-in operation"):
        TileFlow((64, 64)).configure("not_callable")
    with pytest.raises(ValueError, match="Tile height 256 cannot exceed image height 100"):
        TileFlow((256, 256)).configure(lambda t: t).run(np.zeros((100, 300)))
    with pytest.raises(ValueError, match="at least 2D"):
        TileFlow((64, 64)).configure(lambda t: t).run(np.zeros(100))
    with pytest.raises(TypeError, match="Unsupported data type"):
        TileFlow((64, 64)).configure(lambda t: t).run("not an image")
    with pytest.raises(ValueError, match="last two axes"):
        TileFlow((64, 64)).configure(lambda t: t[..., :-1, :]).run(np.zeros((128, 128)))
    with pytest.raises(TypeError, match="one dtype"):
        TileFlow((64, 64)).configure(
            lambda t, s: t.astype(np.float32 if s.position.position[1] else np.float64)
        ).run(np.zeros((128, 128)))
    with pytest.raises(OSError, match="no-such-file.tif"):
        tileflow.open("no-such-file.tif")


def test_built_in_runs_release_the_gil():
    """A Python thread counts while the engine works: its count grows between tiles."""
    counted = [0]
    done = threading.Event()

    def count():
        while not done.is_set():
            counted[0] += 1

    class Sampler(TileFlowCallback):
        def __init__(self):
            self.samples = []

        def on_tile_end(self, tile, index, total):
            self.samples.append(counted[0])

    sampler = Sampler()
    counter = threading.Thread(target=count)
    counter.start()
    try:
        TileFlow((512, 512), (8, 8)).configure("gaussian", sigma=2).run(
            np.zeros((4096, 4096), np.float32), callbacks=[sampler])
    finally:
        done.set()
        counter.join()
    assert len(sampler.samples) == 64
    assert sampler.samples[-1] - sampler.samples[0] > 1000


def test_return_tiles_and_reconstruct():
    image = np.random.default_rng(6).random((300, 500)).astype(np.float32)
    tiles = TileFlow((128, 128), (8, 8)).configure(lambda t: t * 3).run(image, return_tiles=True)
    assert len(tiles) == 2 * 4
    assert tiles[0].image_data[0].shape == tiles[0].tile_spec.geometry.halo.shape
    assert np.array_equal(tileflow.reconstruction.reconstruct(tiles)[0], image * 3)


def test_out_array_is_filled_and_returned():
    image = np.random.default_rng(7).random((2, 300, 400)).astype(np.float32)
    out = np.empty_like(image)
    assert TileFlow((128, 128)).configure(lambda t: t + 1).run(image, out=out) is out
    assert np.array_equal(out, image + 1)


def test_builtin_operations_take_any_numeric_array():
    image = np.random.default_rng(8).random((600, 700))
    result = TileFlow((256, 256), (8, 8)).configure("sobel").run(image)
    assert result.dtype == np.float32
    assert np.array_equal(result, scipy_sobel(image.astype(np.float32)))
    strided = image.astype(np.float32)[:, ::2]
    assert np.array_equal(TileFlow((128, 128), (8, 8)).configure("sobel").run(strided),
                          scipy_sobel(strided))
    with pytest.raises(TypeError, match="out must be a f32 array"):
        TileFlow((128, 128), (8, 8)).configure("sobel").run(image, out=np.empty((600, 700)))
