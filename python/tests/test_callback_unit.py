"""Unit tests of tileflow.callback alone: hand-made stats, fake events, no engine.

MemoryTracker's ``tileflow._native`` is replaced by a fake module.
"""

import sys
import time
import tracemalloc
import types

import pytest

from tileflow import callback
from tileflow.callback import (
    CodeCarbonTracker,
    CompositeCallback,
    MemoryTracker,
    MetricsCallback,
    ProcessingStats,
    ProgressCallback,
    TileFlowCallback,
)


class FakeTile:
    """Stand-in for tileflow.core.ProcessedTile."""

    def __init__(self, image_data=None):
        self.image_data = [] if image_data is None else image_data


class FakeClock:
    """Replaces the ``time`` module inside callback.py with a settable clock."""

    def __init__(self, now=0.0):
        self.now = now

    def perf_counter(self):
        return self.now

    def time(self):
        return self.now


class Recorder(TileFlowCallback):
    """Records every new-style hook call, in order."""

    def __init__(self, name, log):
        self.name = name
        self.log = log

    def on_processing_start(self, stats):
        self.log.append((self.name, "start"))

    def on_tile_start(self, tile, tile_index, total_tiles):
        self.log.append((self.name, "tile_start", tile_index))

    def on_tile_end(self, tile, tile_index, total_tiles):
        self.log.append((self.name, "tile_end", tile_index))

    def on_processing_end(self, stats):
        self.log.append((self.name, "end"))


def run_stats(total_tiles=4, **fields):
    """Stats as the runner fills them before on_processing_start."""
    defaults = dict(start_time=time.time(), total_tiles=total_tiles, total_chunks=1,
                    input_shape=(3, 100, 200), tile_size=(64, 64), overlap=(8, 8))
    defaults.update(fields)
    return ProcessingStats(**defaults)


def drive(cb, stats, order):
    """Send a run's events to ``cb`` in the runner's way; tiles end in ``order``."""
    cb.on_processing_start(stats)
    for index in range(stats.total_tiles):
        cb.on_tile_start(FakeTile(), index, stats.total_tiles)
    for done, index in enumerate(order, start=1):
        stats.processed_tiles = done
        cb.on_tile_end(FakeTile([index]), index, stats.total_tiles)
    stats.end_time = time.time()
    cb.on_processing_end(stats)


# --- ProcessingStats -------------------------------------------------------


def test_stats_defaults_match_the_original_plus_engine_fields():
    stats = ProcessingStats()
    assert (stats.start_time, stats.end_time, stats.input_shape, stats.output_shape) == (None,) * 4
    assert (stats.tile_size, stats.overlap, stats.chunk_size) == (None, None, None)
    assert (stats.total_tiles, stats.processed_tiles) == (0, 0)
    assert (stats.total_chunks, stats.processed_chunks) == (0, 0)
    assert (stats.engine_bytes, stats.engine_peak_bytes) == (0, 0)
    assert stats.elapsed_time is None
    assert stats.tiles_per_second == 0.0


def test_elapsed_time_is_live_while_running_and_fixed_once_ended():
    stats = ProcessingStats(start_time=time.time() - 2.0, processed_tiles=10)
    assert 2.0 <= stats.elapsed_time < 3.0
    assert 10 / 3.0 < stats.tiles_per_second <= 5.0
    stats.start_time, stats.end_time = 1000.0, 1005.0
    assert stats.elapsed_time == 5.0
    assert stats.tiles_per_second == 2.0
    stats.end_time = 1000.0
    assert stats.tiles_per_second == 0.0


def test_elapsed_time_reported_without_metrics_callback(capsys):
    stats = run_stats(total_tiles=2)
    stats.start_time = time.time() - 4.0
    progress = ProgressCallback()
    composite = CompositeCallback([progress])
    composite.on_processing_start(stats)
    stats.processed_tiles = 2
    stats.start_time, stats.end_time = 1000.0, 1004.0
    composite.on_processing_end(stats)
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last == "✅ Processing complete! 2 tiles in 4.00s (0.5 tiles/sec)"


# --- listeners and legacy hooks -------------------------------------------


def test_base_class_listens_to_nothing_and_hooks_are_no_ops():
    cb = TileFlowCallback()
    assert not cb.has_tile_listeners()
    assert not cb.has_chunk_listeners()
    stats = ProcessingStats()
    cb.on_processing_start(stats)
    cb.on_chunk_start(0, 1, (64, 64))
    cb.on_chunk_end(0, 1, (64, 64))
    cb.on_tile_start(FakeTile(), 0, 1)
    cb.on_tile_end(FakeTile(), 0, 1)
    cb.on_processing_end(stats)
    cb.on_processing_error(RuntimeError("x"), stats)
    # the original's legacy call forms still work
    cb.on_tile_processed(FakeTile(), 0, 1)
    cb.on_chunk_processed(FakeTile(), 0, 1)
    cb.on_processing_complete([FakeTile()])


@pytest.mark.parametrize(
    "hook, tile, chunk",
    [
        ("on_tile_start", True, False),
        ("on_tile_end", True, False),
        ("on_tile_processed", True, False),
        ("on_chunk_start", False, True),
        ("on_chunk_end", False, True),
        ("on_chunk_processed", False, True),
        ("on_processing_start", False, False),
        ("on_processing_complete", False, False),
    ],
)
def test_listeners_follow_the_overridden_hooks(hook, tile, chunk):
    subclass = type("Sub", (TileFlowCallback,), {hook: lambda self, *args: None})
    assert subclass().has_tile_listeners() is tile
    assert subclass().has_chunk_listeners() is chunk


def test_listeners_see_hooks_set_on_the_instance():
    cb = TileFlowCallback()
    cb.on_tile_end = lambda tile, index, total: None
    assert cb.has_tile_listeners()
    assert not cb.has_chunk_listeners()


def test_listeners_of_builtins_and_composites():
    assert MetricsCallback(verbose=False).has_tile_listeners()
    assert MetricsCallback(verbose=False).has_chunk_listeners()
    assert ProgressCallback().has_tile_listeners()
    assert MemoryTracker().has_tile_listeners()
    assert not MemoryTracker().has_chunk_listeners()
    carbon = CodeCarbonTracker()
    assert not carbon.has_tile_listeners()
    assert not carbon.has_chunk_listeners()
    assert not CompositeCallback([]).has_tile_listeners()
    assert not CompositeCallback([carbon, CompositeCallback([TileFlowCallback()])]).has_tile_listeners()
    nested = CompositeCallback([carbon, CompositeCallback([MemoryTracker()])])
    assert nested.has_tile_listeners()
    assert not nested.has_chunk_listeners()


def test_legacy_hooks_receive_events():
    calls = []

    class Legacy(TileFlowCallback):
        def on_tile_processed(self, tile, tile_index, total_tiles):
            calls.append(("tile", tile.image_data, tile_index, total_tiles))

        def on_chunk_processed(self, tile, chunk_index, total_chunks):
            calls.append(("chunk", tile, chunk_index, total_chunks))

        def on_processing_complete(self, stats):
            calls.append(("complete", stats))

    stats = run_stats(total_tiles=2)
    composite = CompositeCallback([CompositeCallback([Legacy()])])
    assert composite.has_tile_listeners() and composite.has_chunk_listeners()
    composite.on_processing_start(stats)
    composite.on_chunk_start(0, 1, (80, 80))
    composite.on_tile_start(FakeTile(), 1, 2)
    composite.on_tile_end(FakeTile(["out"]), 1, 2)
    composite.on_chunk_end(0, 1, (80, 80))
    composite.on_processing_end(stats)
    assert calls == [("tile", ["out"], 1, 2), ("chunk", None, 0, 1), ("complete", stats)]


# --- CompositeCallback ----------------------------------------------------


def test_composite_forwards_in_list_order_with_nesting():
    log = []
    composite = CompositeCallback([Recorder("a", log), CompositeCallback([Recorder("b", log)])])
    composite.add_callback(Recorder("c", log))
    drive(composite, run_stats(total_tiles=1), order=[0])
    assert log == [
        ("a", "start"), ("b", "start"), ("c", "start"),
        ("a", "tile_start", 0), ("b", "tile_start", 0), ("c", "tile_start", 0),
        ("a", "tile_end", 0), ("b", "tile_end", 0), ("c", "tile_end", 0),
        ("a", "end"), ("b", "end"), ("c", "end"),
    ]


def test_composite_propagates_callback_exceptions():
    log = []

    class Failing(TileFlowCallback):
        def on_tile_end(self, tile, tile_index, total_tiles):
            raise ValueError("callback failed")

    composite = CompositeCallback([Failing(), Recorder("after", log)])
    with pytest.raises(ValueError, match="callback failed"):
        composite.on_tile_end(FakeTile(), 0, 1)
    assert log == []


def test_composite_remove_callback_and_duck_typed_children():
    log = []
    recorder = Recorder("r", log)

    class OnlyStart:
        def on_processing_start(self, stats):
            log.append(("duck", "start"))

    composite = CompositeCallback([recorder, OnlyStart()])
    assert not CompositeCallback([OnlyStart()]).has_tile_listeners()
    composite.on_processing_start(ProcessingStats())
    composite.on_tile_end(FakeTile(), 0, 1)  # OnlyStart has no on_tile_end: skipped
    composite.remove_callback(recorder)
    composite.on_processing_start(ProcessingStats())
    assert log == [("r", "start"), ("duck", "start"), ("r", "tile_end", 0), ("duck", "start")]


# --- ProgressCallback -----------------------------------------------------


def test_progress_prints_start_tiles_and_final_line(capsys):
    stats = run_stats(total_tiles=3)
    drive(ProgressCallback(show_rate=False), stats, order=[2, 0, 1])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "🚀 Starting processing: 3 tiles"
    assert lines[1] == "   Input shape: (3, 100, 200)"
    assert lines[2] == "   Tile size: (64, 64)"
    assert lines[3:6] == ["   Tile 1/3 (33.3%)", "   Tile 2/3 (66.7%)", "   Tile 3/3 (100.0%)"]
    assert lines[6].startswith("✅ Processing complete! 3 tiles in ")
    assert lines[6].endswith(" tiles/sec)")


def test_progress_throttles_tile_lines_but_always_prints_the_last(capsys):
    stats = run_stats(total_tiles=10_000)
    drive(ProgressCallback(), stats, order=reversed(range(10_000)))
    tile_lines = [line for line in capsys.readouterr().out.splitlines() if "/10000 (" in line]
    assert len(tile_lines) == 101  # one per whole percent 0..100
    assert tile_lines[-1].startswith("   Tile 10000/10000 (100.0%) - ")
    assert tile_lines[-1].endswith(" tiles/sec")


def test_progress_never_divides_by_zero(capsys):
    cb = ProgressCallback()
    cb.on_processing_start(ProcessingStats())
    cb.on_tile_end(FakeTile(), 0, 0)
    cb.on_chunk_end(0, 0, (10, 10))
    cb.on_processing_end(ProcessingStats())
    out = capsys.readouterr().out
    assert "   Tile 1" in out
    assert out.splitlines()[-1] == "✅ Processing complete! 0 tiles"


def test_progress_chunks_errors_and_silence(capsys):
    cb = ProgressCallback()
    cb.on_chunk_end(0, 1, (64, 64))
    cb.on_chunk_end(1, 4, (64, 64))
    cb.on_processing_error(RuntimeError("boom"), ProcessingStats(processed_tiles=5))
    assert capsys.readouterr().out.splitlines() == [
        "   Chunk 2/4 (50.0%)",
        "❌ Processing failed after 5 tiles: boom",
    ]
    drive(ProgressCallback(verbose=False), run_stats(total_tiles=2), order=[0, 1])
    assert capsys.readouterr().out == ""


# --- MetricsCallback ------------------------------------------------------


def test_metrics_times_interleaved_tiles_and_chunks(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(callback, "time", clock)
    stats = ProcessingStats(start_time=1000.0, total_tiles=3, total_chunks=2, input_shape=(50, 60))
    metrics = MetricsCallback(verbose=False)
    metrics.on_processing_start(stats)
    events = [
        (0.0, "chunk_start", 0), (0.0, "tile_start", 0), (1.0, "tile_start", 1),
        (2.0, "tile_end", 1), (5.0, "tile_end", 0), (5.0, "chunk_end", 0),
        (6.0, "chunk_start", 1), (6.0, "tile_start", 2), (9.0, "tile_end", 2), (10.0, "chunk_end", 1),
    ]
    for now, event, index in events:
        clock.now = now
        if event.startswith("tile"):
            getattr(metrics, "on_" + event)(FakeTile(), index, 3)
        else:
            getattr(metrics, "on_" + event)(index, 2, (32, 32))
    stats.processed_tiles, stats.end_time, stats.output_shape = 3, 1006.0, (50, 60)
    metrics.on_processing_end(stats)
    assert (stats.start_time, stats.end_time) == (1000.0, 1006.0)  # not touched
    assert metrics.stats is stats
    result = metrics.get_detailed_metrics()
    assert result["tile_times_s"] == [1.0, 5.0, 3.0]
    assert result["chunk_times_s"] == [5.0, 4.0]
    assert result["average_tile_time_s"] == 3.0
    assert result["p50_tile_time_s"] == 3.0
    assert result["p95_tile_time_s"] == pytest.approx(4.8)
    assert result["total_time_s"] == 6.0
    assert result["tiles_processed"] == 3
    assert result["tiles_per_second"] == 0.5
    assert (result["input_shape"], result["output_shape"]) == ((50, 60), (50, 60))


def test_metrics_without_tiles_and_verbose_summary(capsys):
    metrics = MetricsCallback()
    empty = metrics.get_detailed_metrics()
    assert empty["tile_times_s"] == [] and empty["chunk_times_s"] == []
    assert empty["average_tile_time_s"] == empty["p50_tile_time_s"] == empty["p95_tile_time_s"] == 0.0
    drive(metrics, run_stats(total_tiles=2), order=[1, 0])
    out = capsys.readouterr().out
    assert "📈 Metrics collection started" in out
    assert "   Tiles processed: 2" in out
    assert "   Tile timing - avg: " in out
    assert len(metrics.get_detailed_metrics()["tile_times_s"]) == 2


# --- MemoryTracker --------------------------------------------------------


class FakeNative:
    """Fake ``tileflow._native``: process_memory() returns ``reading``."""

    def __init__(self):
        self.reading = None

    def process_memory(self):
        return self.reading


@pytest.fixture
def native(monkeypatch):
    fake = FakeNative()
    module = types.ModuleType("tileflow._native")
    module.process_memory = fake.process_memory
    monkeypatch.setitem(sys.modules, "tileflow._native", module)
    monkeypatch.setattr(sys.modules["tileflow"], "_native", module, raising=False)
    return fake


def track(tracker, native, stats, readings):
    """Run start, one tile per middle reading, and end, with the given RSS readings."""
    native.reading = readings[0]
    tracker.on_processing_start(stats)
    for index, reading in enumerate(readings[1:-1]):
        native.reading = reading
        stats.engine_peak_bytes = 1000 * (index + 1)
        tracker.on_tile_end(FakeTile(), index, len(readings) - 2)
    native.reading = readings[-1]
    tracker.on_processing_end(stats)


@pytest.mark.parametrize("detailed", [False, True])
def test_memory_tracker_reports_rss(native, capsys, detailed):
    tracker = MemoryTracker(detailed=detailed)
    assert tracker.get_memory_stats() == {}
    stats = run_stats(total_tiles=2)
    track(tracker, native, stats, [(100, 150), (300, 350), (200, 400), (250, 400)])
    assert tracker.get_memory_stats() == {
        "baseline_memory_bytes": 100,
        "peak_memory_bytes": 300,
        "current_memory_bytes": 250,
        "memory_per_tile_bytes": [300, 200],
        "peak_delta_bytes": 200,
        "average_per_tile_bytes": 250,
        "peak_rss_bytes": 400,
        "engine_peak_bytes": 2000,
    }
    out = capsys.readouterr().out
    assert "📊 Memory Usage Summary:" in out
    assert "   Peak RSS: 300.0 B (+200.0 B from baseline)" in out
    assert "   Engine buffers peak: 2.0 KB" in out
    assert ("Baseline RSS: 100.0 B" in out) is detailed
    assert not tracemalloc.is_tracing()


def test_memory_tracker_unreadable_rss(native, capsys):
    tracker = MemoryTracker()
    track(tracker, native, run_stats(total_tiles=1), [None, None, None])
    memory = tracker.get_memory_stats()
    assert memory["baseline_memory_bytes"] == memory["peak_memory_bytes"] == 0
    assert memory["average_per_tile_bytes"] == 0
    assert "Process RSS is not readable on this platform" in capsys.readouterr().out


def test_memory_tracker_error_prints_nothing_and_keeps_figures(native, capsys):
    tracker = MemoryTracker()
    native.reading = (100, 100)
    stats = run_stats(total_tiles=2)
    tracker.on_processing_start(stats)
    native.reading = (180, 190)
    tracker.on_tile_end(FakeTile(), 0, 2)
    tracker.on_processing_error(RuntimeError("boom"), stats)
    assert capsys.readouterr().out == ""
    assert not tracker._tracking_started
    assert tracker.get_memory_stats()["peak_delta_bytes"] == 80
    tracker.on_tile_end(FakeTile(), 1, 2)  # ignored after the run stopped
    assert tracker.get_memory_stats()["average_per_tile_bytes"] == 180


def test_format_bytes():
    assert MemoryTracker._format_bytes(500) == "500.0 B"
    assert MemoryTracker._format_bytes(1500) == "1.5 KB"
    assert MemoryTracker._format_bytes(1500000) == "1.4 MB"
    assert MemoryTracker._format_bytes(3 * 1024**3) == "3.0 GB"
    assert MemoryTracker._format_bytes(2 * 1024**4) == "2.0 TB"
    assert MemoryTracker._format_bytes(-2048) == "-2.0 KB"


# --- CodeCarbonTracker ----------------------------------------------------


def test_codecarbon_missing_warns_once_per_run_and_reports_nothing(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "codecarbon", None)  # import fails
    tracker = CodeCarbonTracker()
    with pytest.warns(RuntimeWarning) as record:
        drive(CompositeCallback([tracker]), run_stats(total_tiles=2), order=[0, 1])
    assert [str(w.message) for w in record] == [
        "codecarbon is not installed: CodeCarbonTracker measures nothing"
    ]
    assert tracker.get_emissions_data() == {}
    tracker.on_processing_error(RuntimeError("boom"), ProcessingStats())
    assert capsys.readouterr().out == ""


class FakeEmissionsTracker:
    """Fake codecarbon.EmissionsTracker recording its use."""

    instances = []

    def __init__(self, **kwargs):
        self.kwargs = kwargs
        self.events = []
        FakeEmissionsTracker.instances.append(self)

    def start(self):
        self.events.append("start")

    def stop(self):
        self.events.append("stop")
        return 0.002


@pytest.fixture
def fake_codecarbon(monkeypatch):
    FakeEmissionsTracker.instances = []
    monkeypatch.setitem(sys.modules, "codecarbon",
                        types.SimpleNamespace(EmissionsTracker=FakeEmissionsTracker))
    return FakeEmissionsTracker.instances


def test_codecarbon_measures_a_run(fake_codecarbon, capsys):
    tracker = CodeCarbonTracker(project_name="p", output_dir="/tmp/logs")
    stats = run_stats(total_tiles=4, input_shape=(1000, 2000))
    drive(tracker, stats, order=[0, 1, 2, 3])
    (emissions_tracker,) = fake_codecarbon
    assert emissions_tracker.kwargs == dict(project_name="p", output_dir="/tmp/logs",
                                            save_to_file=True, log_level="WARNING")
    assert emissions_tracker.events == ["start", "stop"]
    data = tracker.get_emissions_data()
    assert data["emissions_kg"] == 0.002
    assert data["processing_time_s"] == pytest.approx(stats.elapsed_time)
    assert (data["total_tiles"], data["input_shape"], data["tile_size"]) == (4, (1000, 2000), (64, 64))
    out = capsys.readouterr().out
    assert "   CO₂ emissions: 0.002000 kg" in out
    assert "   Per tile: 0.00050000 kg CO₂" in out
    assert "   Per megapixel: 0.001000 kg CO₂" in out


def test_codecarbon_stops_on_error(fake_codecarbon, capsys):
    tracker = CodeCarbonTracker()
    stats = run_stats()
    tracker.on_processing_start(stats)
    tracker.on_processing_error(RuntimeError("boom"), stats)
    assert fake_codecarbon[0].events == ["start", "stop"]
    assert tracker.get_emissions_data() == {}
    assert capsys.readouterr().out == ""
