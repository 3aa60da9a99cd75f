"""Processing callbacks: progress, timing, memory and energy reporting.

The names, argument names and defaults are those of the original Python
TileFlow library, so callbacks written for it keep working. The runner calls
the hooks one at a time (never concurrently), possibly from worker threads, so
a callback needs no locking; tile hooks of different tiles may interleave.

Differences from the original, and why:

* Timing belongs to the runner. It fills ``ProcessingStats`` (``start_time``,
  totals, shapes) before ``on_processing_start`` and sets ``end_time`` before
  ``on_processing_end`` / ``on_processing_error``. ``elapsed_time`` is live
  while running, so it no longer depends on a ``MetricsCallback`` being
  present and listed first, and ``MetricsCallback`` no longer writes the
  times. ``tiles_per_second`` is ``0.0`` rather than ``None`` when unknown.
* Totals are real from the start, also in chunk mode, and ``tile_index`` is a
  global running index, so ``ProgressCallback`` never divides by zero. It
  prints a tile line only when the whole percentage changes (and always the
  last one) instead of one line per tile, and counts completed tiles because
  tiles finish out of order.
* ``CompositeCallback`` lets a callback's exception propagate (the run fails
  with it) instead of printing and swallowing it.
* ``has_tile_listeners()`` / ``has_chunk_listeners()`` are true only when a
  tile (chunk) hook is actually overridden, so the runner can skip building
  per-tile objects; in the original they were always true.
* The legacy hooks ``on_tile_processed``, ``on_chunk_processed`` and
  ``on_processing_complete`` are fired: the base class's ``on_tile_end``,
  ``on_chunk_end`` and ``on_processing_end`` call them (the original declared
  them but never called them). ``on_chunk_processed`` receives ``None`` as
  its ``tile`` (the runner has no chunk tile object) and
  ``on_processing_complete`` receives the stats, not a list of tiles.
* ``MetricsCallback`` keys tile and chunk start times by index (tiles
  interleave), fills ``chunk_times_s`` and adds p50/p95 tile times.
* ``MemoryTracker`` measures the process's resident set size instead of
  switching on ``tracemalloc`` (which saw only the Python heap, slowed every
  allocation and stayed on after a successful run), and also reports the
  process's lifetime RSS peak and the engine's buffer high-water mark. It
  no longer prints a line per tile; its figures stay available after a failed
  run.
* ``CodeCarbonTracker`` warns when ``codecarbon`` is missing instead of
  silently measuring nothing, and reports the real processing time.
"""

from __future__ import annotations

import contextlib
import time
import warnings
from abc import ABC
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from tileflow.core import ProcessedTile

__all__ = [
    "TileFlowCallback",
    "ProcessingStats",
    "ProgressCallback",
    "MetricsCallback",
    "MemoryTracker",
    "CodeCarbonTracker",
    "CompositeCallback",
]

_TILE_HOOKS = ("on_tile_start", "on_tile_end", "on_tile_processed")
_CHUNK_HOOKS = ("on_chunk_start", "on_chunk_end", "on_chunk_processed")


@dataclass
class ProcessingStats:
    """Statistics of one run, shared by all callbacks of that run.

    The runner fills the configuration fields and ``start_time`` (a
    ``time.time()`` value) before ``on_processing_start``, updates
    ``processed_tiles`` before each ``on_tile_end`` and ``processed_chunks``
    before each ``on_chunk_end``, and sets ``end_time`` (and, on success,
    ``output_shape``) before the final hook. ``engine_bytes`` and
    ``engine_peak_bytes`` are the current and peak bytes of the buffers the
    engine holds (0 when unknown).
    """

    start_time: float | None = None
    end_time: float | None = None
    total_tiles: int = 0
    processed_tiles: int = 0
    total_chunks: int = 0
    processed_chunks: int = 0
    input_shape: tuple | None = None
    output_shape: tuple | None = None
    tile_size: tuple | None = None
    overlap: tuple | None = None
    chunk_size: tuple | None = None
    engine_bytes: int = 0
    engine_peak_bytes: int = 0

    @property
    def elapsed_time(self) -> float | None:
        """Seconds since ``start_time``, up to ``end_time`` once it is set.

        ``None`` while ``start_time`` is unset.
        """
        if self.start_time is None:
            return None
        end = self.end_time if self.end_time is not None else time.time()
        return end - self.start_time

    @property
    def tiles_per_second(self) -> float:
        """``processed_tiles / elapsed_time``, or ``0.0`` when no time elapsed."""
        elapsed = self.elapsed_time
        if not elapsed:
            return 0.0
        return self.processed_tiles / elapsed


class TileFlowCallback(ABC):
    """Base class of processing callbacks; every hook is an optional no-op.

    Subclasses override the hooks they need. Hook order for a run:
    ``on_processing_start``, then per chunk (chunk mode only)
    ``on_chunk_start`` ... ``on_chunk_end``, per tile ``on_tile_start`` /
    ``on_tile_end`` (tiles of a run may interleave), then
    ``on_processing_end``, or ``on_processing_error`` if the run fails.

    The base ``on_tile_end``, ``on_chunk_end`` and ``on_processing_end`` call
    the legacy hooks, so an override of a legacy hook alone receives events;
    an override of the new hook that does not call ``super()`` stops that
    (the built-in callbacks don't call ``super()``).
    """

    def on_processing_start(self, stats: ProcessingStats) -> None:
        """Called once before any tile is processed."""

    def on_processing_end(self, stats: ProcessingStats) -> None:
        """Called once after a successful run.

        The base implementation calls the legacy ``on_processing_complete``.
        """
        self.on_processing_complete(stats)

    def on_processing_error(self, error: Exception, stats: ProcessingStats) -> None:
        """Called once when the run fails with ``error``, before it propagates."""

    def on_chunk_start(self, chunk_index: int, total_chunks: int, chunk_shape: tuple) -> None:
        """Called before a chunk is processed; ``chunk_shape`` is its halo's ``(h, w)``."""

    def on_chunk_end(self, chunk_index: int, total_chunks: int, chunk_shape: tuple) -> None:
        """Called after a chunk is processed; ``chunk_shape`` is its halo's ``(h, w)``.

        The base implementation calls the legacy ``on_chunk_processed``.
        """
        self.on_chunk_processed(None, chunk_index, total_chunks)

    def on_tile_start(self, tile: ProcessedTile, tile_index: int, total_tiles: int) -> None:
        """Called before a tile is processed; ``tile.image_data`` is ``[]``."""

    def on_tile_end(self, tile: ProcessedTile, tile_index: int, total_tiles: int) -> None:
        """Called after a tile is processed; ``tile.image_data`` holds its output.

        The base implementation calls the legacy ``on_tile_processed``.
        """
        self.on_tile_processed(tile, tile_index, total_tiles)

    def on_tile_processed(self, tile: ProcessedTile, tile_index: int, total_tiles: int) -> None:
        """Legacy hook: use ``on_tile_end``. Fired by the base ``on_tile_end``."""

    def on_chunk_processed(self, tile: Any, chunk_index: int, total_chunks: int) -> None:
        """Legacy hook: use ``on_chunk_end``. Fired by the base ``on_chunk_end``.

        ``tile`` is always ``None``: the runner has no tile object for a chunk.
        """

    def on_processing_complete(self, stats: ProcessingStats) -> None:
        """Legacy hook: use ``on_processing_end``. Fired by the base ``on_processing_end``."""

    def has_tile_listeners(self) -> bool:
        """True when this callback overrides a tile hook.

        The runner skips building tile objects and tile events when no
        callback listens.
        """
        return self._overrides(_TILE_HOOKS)

    def has_chunk_listeners(self) -> bool:
        """True when this callback overrides a chunk hook."""
        return self._overrides(_CHUNK_HOOKS)

    def _overrides(self, hooks: tuple[str, ...]) -> bool:
        """True when one of ``hooks`` is not the base class's (in the class or on the instance)."""
        return any(
            getattr(getattr(self, name), "__func__", None) is not getattr(TileFlowCallback, name)
            for name in hooks
        )


class ProgressCallback(TileFlowCallback):
    """Prints progress to standard output.

    A tile line ``Tile i/N (p%) - r tiles/sec`` is printed only when the whole
    percentage changes, and always for the last tile, so a run of 10^5 tiles
    prints about a hundred lines. ``i`` counts completed tiles. Chunk lines are
    printed when there is more than one chunk.

    Parameters
    ----------
    verbose : bool
        Print anything at all.
    show_rate : bool
        Append the tile rate to tile lines.
    """

    def __init__(self, verbose: bool = True, show_rate: bool = True):
        self.verbose = verbose
        self.show_rate = show_rate
        self._start: float | None = None
        self._done = 0
        self._last_percent: int | None = None

    def on_processing_start(self, stats: ProcessingStats) -> None:
        """Print the tile count, input shape and tile size."""
        self._start = time.perf_counter()
        self._done = 0
        self._last_percent = None
        if self.verbose:
            print(f"🚀 Starting processing: {stats.total_tiles} tiles", flush=True)
            if stats.input_shape:
                print(f"   Input shape: {stats.input_shape}", flush=True)
            if stats.tile_size:
                print(f"   Tile size: {stats.tile_size}", flush=True)

    def on_tile_end(self, tile: ProcessedTile, tile_index: int, total_tiles: int) -> None:
        """Count the tile and print a progress line when the percentage changes."""
        self._done += 1
        if not self.verbose:
            return
        if total_tiles > 0:
            percent = 100.0 * self._done / total_tiles
            if int(percent) == self._last_percent and self._done < total_tiles:
                return
            self._last_percent = int(percent)
            message = f"   Tile {self._done}/{total_tiles} ({percent:.1f}%)"
        else:
            message = f"   Tile {self._done}"
        if self.show_rate and self._start is not None:
            elapsed = time.perf_counter() - self._start
            if elapsed > 0:
                message += f" - {self._done / elapsed:.1f} tiles/sec"
        print(message, flush=True)

    def on_chunk_end(self, chunk_index: int, total_chunks: int, chunk_shape: tuple) -> None:
        """Print a chunk line when the run has more than one chunk."""
        if self.verbose and total_chunks > 1:
            percent = 100.0 * (chunk_index + 1) / total_chunks
            print(f"   Chunk {chunk_index + 1}/{total_chunks} ({percent:.1f}%)", flush=True)

    def on_processing_end(self, stats: ProcessingStats) -> None:
        """Print the tile count, total time and rate."""
        if not self.verbose:
            return
        message = f"✅ Processing complete! {stats.processed_tiles} tiles"
        elapsed = stats.elapsed_time
        if elapsed is not None:
            message += f" in {elapsed:.2f}s ({stats.tiles_per_second:.1f} tiles/sec)"
        print(message, flush=True)

    def on_processing_error(self, error: Exception, stats: ProcessingStats) -> None:
        """Print the error and how many tiles were done."""
        if self.verbose:
            print(f"❌ Processing failed after {stats.processed_tiles} tiles: {error}", flush=True)


class MetricsCallback(TileFlowCallback):
    """Collects tile and chunk durations (``time.perf_counter``) and run totals.

    It reads the run's shared ``ProcessingStats`` (kept in ``self.stats``) but
    does not modify it.

    Parameters
    ----------
    verbose : bool
        Print a start line and a summary at the end.
    """

    def __init__(self, verbose: bool = True):
        self.verbose = verbose
        self.stats = ProcessingStats()
        self._tile_times: list[float] = []
        self._chunk_times: list[float] = []
        self._tile_starts: dict[int, float] = {}
        self._chunk_starts: dict[int, float] = {}

    def on_processing_start(self, stats: ProcessingStats) -> None:
        """Adopt the run's stats and reset the collected durations."""
        self.stats = stats
        self._tile_times = []
        self._chunk_times = []
        self._tile_starts = {}
        self._chunk_starts = {}
        if self.verbose:
            print("📈 Metrics collection started", flush=True)

    def on_tile_start(self, tile: ProcessedTile, tile_index: int, total_tiles: int) -> None:
        """Remember when tile ``tile_index`` started."""
        self._tile_starts[tile_index] = time.perf_counter()

    def on_tile_end(self, tile: ProcessedTile, tile_index: int, total_tiles: int) -> None:
        """Record the duration of tile ``tile_index`` (if its start was seen)."""
        start = self._tile_starts.pop(tile_index, None)
        if start is not None:
            self._tile_times.append(time.perf_counter() - start)

    def on_chunk_start(self, chunk_index: int, total_chunks: int, chunk_shape: tuple) -> None:
        """Remember when chunk ``chunk_index`` started."""
        self._chunk_starts[chunk_index] = time.perf_counter()

    def on_chunk_end(self, chunk_index: int, total_chunks: int, chunk_shape: tuple) -> None:
        """Record the duration of chunk ``chunk_index`` (if its start was seen)."""
        start = self._chunk_starts.pop(chunk_index, None)
        if start is not None:
            self._chunk_times.append(time.perf_counter() - start)

    def on_processing_end(self, stats: ProcessingStats) -> None:
        """Print the summary when verbose."""
        self.stats = stats
        if not self.verbose:
            return
        metrics = self.get_detailed_metrics()
        print("📊 Processing Metrics:", flush=True)
        if metrics["total_time_s"] is not None:
            print(f"   Total time: {metrics['total_time_s']:.2f}s", flush=True)
        print(f"   Tiles processed: {metrics['tiles_processed']}", flush=True)
        print(f"   Processing rate: {metrics['tiles_per_second']:.1f} tiles/sec", flush=True)
        if self._tile_times:
            print(
                f"   Tile timing - avg: {metrics['average_tile_time_s']:.3f}s, "
                f"p50: {metrics['p50_tile_time_s']:.3f}s, "
                f"p95: {metrics['p95_tile_time_s']:.3f}s, "
                f"max: {max(self._tile_times):.3f}s",
                flush=True,
            )

    def get_detailed_metrics(self) -> dict[str, Any]:
        """Return the run's metrics.

        Keys: ``total_time_s``, ``tiles_processed``, ``tiles_per_second``,
        ``tile_times_s`` and ``chunk_times_s`` (durations in completion
        order), ``average_tile_time_s``, ``p50_tile_time_s``,
        ``p95_tile_time_s`` (0.0 without tiles), ``input_shape``,
        ``output_shape``.
        """
        times = self._tile_times
        p50, p95 = (float(p) for p in np.percentile(times, [50, 95])) if times else (0.0, 0.0)
        return {
            "total_time_s": self.stats.elapsed_time,
            "tiles_processed": self.stats.processed_tiles,
            "tiles_per_second": self.stats.tiles_per_second,
            "tile_times_s": list(times),
            "chunk_times_s": list(self._chunk_times),
            "average_tile_time_s": sum(times) / len(times) if times else 0.0,
            "p50_tile_time_s": p50,
            "p95_tile_time_s": p95,
            "input_shape": self.stats.input_shape,
            "output_shape": self.stats.output_shape,
        }


class MemoryTracker(TileFlowCallback):
    """Tracks the process's resident set size (RSS) during a run.

    RSS is read (from ``/proc``, cheaply) at the start, after every tile and
    at the end; nothing is traced or switched on. Where RSS is not readable
    the RSS figures are 0. A summary is printed at the end of a successful run.

    Parameters
    ----------
    detailed : bool
        Print the baseline at the start.
    """

    def __init__(self, detailed: bool = False):
        self.detailed = detailed
        self._tracking_started = False
        self._stats: ProcessingStats | None = None
        self._baseline: int | None = None
        self._rss_readable = False
        self._current = 0
        self._peak = 0
        self._peak_rss = 0
        self._engine_peak = 0
        self._tile_count = 0
        self._tile_sum = 0
        self._per_tile: list[int] = []

    @staticmethod
    def _read() -> tuple[int, int] | None:
        """``(rss_bytes, peak_rss_bytes)`` of this process, or ``None`` if unreadable."""
        from tileflow import _native

        return _native.process_memory()

    def _sample(self, stats: ProcessingStats) -> int | None:
        """Take one reading, update current/peak values and return the RSS (or ``None``)."""
        self._engine_peak = max(self._engine_peak, stats.engine_peak_bytes)
        reading = self._read()
        if reading is None:
            return None
        rss, peak_rss = reading
        self._rss_readable = True
        self._current = rss
        self._peak = max(self._peak, rss)
        self._peak_rss = max(self._peak_rss, peak_rss)
        return rss

    def on_processing_start(self, stats: ProcessingStats) -> None:
        """Reset and take the baseline reading."""
        self._stats = stats
        self._tracking_started = True
        self._rss_readable = False
        self._current = self._peak = self._peak_rss = self._engine_peak = 0
        self._tile_count = self._tile_sum = 0
        self._per_tile = []
        self._baseline = self._sample(stats) or 0
        if self.detailed:
            baseline = self._format_bytes(self._baseline)
            print(f"🔍 Memory tracking started - Baseline RSS: {baseline}", flush=True)

    def on_tile_end(self, tile: ProcessedTile, tile_index: int, total_tiles: int) -> None:
        """Read RSS after a tile."""
        if not self._tracking_started:
            return
        rss = self._sample(self._stats)
        if rss is None:
            return
        self._tile_count += 1
        self._tile_sum += rss
        self._per_tile.append(rss)

    def on_processing_end(self, stats: ProcessingStats) -> None:
        """Take the final reading and print the summary."""
        if not self._tracking_started:
            return
        self._sample(stats)
        self._tracking_started = False
        size, delta, base = self._format_bytes, self._format_delta, self._baseline
        lines = ["📊 Memory Usage Summary:"]
        if self._rss_readable:
            lines += [
                f"   Peak RSS: {size(self._peak)} ({delta(self._peak - base)} from baseline)",
                f"   Final RSS: {size(self._current)} "
                f"({delta(self._current - base)} from baseline)",
                f"   Process peak RSS (lifetime): {size(self._peak_rss)}",
            ]
            if self._tile_count:
                average = self._tile_sum / self._tile_count
                lines.append(f"   Average RSS after a tile: {size(average)}")
        else:
            lines.append("   Process RSS is not readable on this platform")
        if self._engine_peak:
            lines.append(f"   Engine buffers peak: {size(self._engine_peak)}")
        print("\n".join(lines), flush=True)

    def on_processing_error(self, error: Exception, stats: ProcessingStats) -> None:
        """Stop tracking; the figures gathered so far stay available."""
        self._tracking_started = False

    def get_memory_stats(self) -> dict[str, Any]:
        """Return the memory figures, or ``{}`` if no run was started.

        Keys (bytes): ``baseline_memory_bytes`` (RSS at start),
        ``peak_memory_bytes`` (highest RSS read), ``current_memory_bytes``
        (last RSS read), ``memory_per_tile_bytes`` (RSS after each tile), ``peak_delta_bytes`` (peak minus
        baseline), ``average_per_tile_bytes`` (mean RSS after a tile, 0
        without tiles), ``peak_rss_bytes`` (the process's lifetime RSS
        high-water mark), ``engine_peak_bytes`` (peak bytes of the engine's
        buffers, 0 when unknown).
        """
        if self._baseline is None:
            return {}
        return {
            "baseline_memory_bytes": self._baseline,
            "peak_memory_bytes": self._peak,
            "current_memory_bytes": self._current,
            "memory_per_tile_bytes": list(self._per_tile),
            "peak_delta_bytes": self._peak - self._baseline,
            "average_per_tile_bytes": self._tile_sum / self._tile_count if self._tile_count else 0,
            "peak_rss_bytes": self._peak_rss,
            "engine_peak_bytes": self._engine_peak,
        }

    @staticmethod
    def _format_bytes(bytes_value: float) -> str:
        """Format a byte count with B/KB/MB/GB/TB (base 1024) and one decimal."""
        value = float(bytes_value)
        for unit in ("B", "KB", "MB", "GB"):
            if abs(value) < 1024:
                return f"{value:.1f} {unit}"
            value /= 1024
        return f"{value:.1f} TB"

    @classmethod
    def _format_delta(cls, bytes_value: float) -> str:
        """Format a signed byte difference, with ``+`` when not negative."""
        sign = "+" if bytes_value >= 0 else ""
        return sign + cls._format_bytes(bytes_value)


class CodeCarbonTracker(TileFlowCallback):
    """Estimates the run's CO2 emissions with ``codecarbon`` (optional dependency).

    ``codecarbon`` is looked up when the tracker is created (``_available``,
    as in the original). Without it each run issues one ``RuntimeWarning``
    and measures nothing.

    Parameters
    ----------
    project_name : str
        Project name given to ``codecarbon.EmissionsTracker``.
    output_dir : str
        Directory where codecarbon writes its emissions file.
    detailed : bool
        Print a line when tracking starts.
    """

    def __init__(self, project_name: str = "tileflow-processing",
                 output_dir: str = "./carbon_logs", detailed: bool = False):
        self.project_name = project_name
        self.output_dir = output_dir
        self.detailed = detailed
        self._tracker = None
        self._emissions_data: dict[str, Any] = {}
        try:
            from codecarbon import EmissionsTracker
        except ImportError:
            EmissionsTracker = None
        self._tracker_class = EmissionsTracker
        self._available = EmissionsTracker is not None

    def on_processing_start(self, stats: ProcessingStats) -> None:
        """Start a codecarbon tracker, or warn that codecarbon is missing."""
        self._emissions_data = {}
        if not self._available:
            warnings.warn("codecarbon is not installed: CodeCarbonTracker measures nothing",
                          RuntimeWarning, stacklevel=2)
            return
        self._tracker = self._tracker_class(project_name=self.project_name,
                                            output_dir=self.output_dir,
                                            save_to_file=True, log_level="WARNING")
        self._tracker.start()
        if self.detailed:
            print(f"🌱 Carbon tracking started - Project: {self.project_name}", flush=True)

    def on_processing_end(self, stats: ProcessingStats) -> None:
        """Stop the tracker, store the figures and print them."""
        if self._tracker is None:
            return
        emissions = self._tracker.stop() or 0.0
        self._tracker = None
        self._emissions_data = {
            "emissions_kg": emissions,
            "processing_time_s": stats.elapsed_time or 0.0,
            "total_tiles": stats.processed_tiles,
            "input_shape": stats.input_shape,
            "tile_size": stats.tile_size,
        }
        print("🌍 Carbon Footprint Summary:", flush=True)
        print(f"   CO₂ emissions: {emissions:.6f} kg", flush=True)
        if stats.processed_tiles > 0:
            print(f"   Per tile: {emissions / stats.processed_tiles:.8f} kg CO₂", flush=True)
        if stats.input_shape and len(stats.input_shape) >= 2:
            pixels = stats.input_shape[-2] * stats.input_shape[-1]
            if pixels > 0:
                print(f"   Per megapixel: {emissions * 1e6 / pixels:.6f} kg CO₂", flush=True)

    def on_processing_error(self, error: Exception, stats: ProcessingStats) -> None:
        """Stop the tracker without reporting."""
        if self._tracker is None:
            return
        # A failing stop() must not replace the run's own error.
        with contextlib.suppress(Exception):
            self._tracker.stop()
        self._tracker = None

    def get_emissions_data(self) -> dict[str, Any]:
        """Return ``emissions_kg``, ``processing_time_s``, ``total_tiles``,
        ``input_shape`` and ``tile_size`` of the last successful measured run,
        or ``{}``."""
        return dict(self._emissions_data)


class CompositeCallback(TileFlowCallback):
    """Forwards every hook to several callbacks, in list order.

    Composites may be nested. A child without a given hook method is skipped.
    An exception raised by a child propagates at once (later children do not
    see that event) and the runner fails the run with it.

    Parameters
    ----------
    callbacks : list of TileFlowCallback
    """

    def __init__(self, callbacks: list[TileFlowCallback]):
        self.callbacks = list(callbacks)

    def add_callback(self, callback: TileFlowCallback) -> None:
        """Append ``callback`` to the forwarding list."""
        self.callbacks.append(callback)

    def remove_callback(self, callback: TileFlowCallback) -> None:
        """Remove ``callback`` from the forwarding list (``ValueError`` if absent)."""
        self.callbacks.remove(callback)

    def _call_all(self, hook: str, *args: Any) -> None:
        """Call ``hook(*args)`` on every child that has it."""
        for callback in self.callbacks:
            method = getattr(callback, hook, None)
            if method is not None:
                method(*args)

    def has_tile_listeners(self) -> bool:
        """True when any child listens to tile events."""
        return any(_listens(cb, "has_tile_listeners", _TILE_HOOKS) for cb in self.callbacks)

    def has_chunk_listeners(self) -> bool:
        """True when any child listens to chunk events."""
        return any(_listens(cb, "has_chunk_listeners", _CHUNK_HOOKS) for cb in self.callbacks)

    def on_processing_start(self, stats: ProcessingStats) -> None:
        """Forward ``on_processing_start``."""
        self._call_all("on_processing_start", stats)

    def on_processing_end(self, stats: ProcessingStats) -> None:
        """Forward ``on_processing_end``."""
        self._call_all("on_processing_end", stats)

    def on_processing_error(self, error: Exception, stats: ProcessingStats) -> None:
        """Forward ``on_processing_error``."""
        self._call_all("on_processing_error", error, stats)

    def on_chunk_start(self, chunk_index: int, total_chunks: int, chunk_shape: tuple) -> None:
        """Forward ``on_chunk_start``."""
        self._call_all("on_chunk_start", chunk_index, total_chunks, chunk_shape)

    def on_chunk_end(self, chunk_index: int, total_chunks: int, chunk_shape: tuple) -> None:
        """Forward ``on_chunk_end``."""
        self._call_all("on_chunk_end", chunk_index, total_chunks, chunk_shape)

    def on_tile_start(self, tile: ProcessedTile, tile_index: int, total_tiles: int) -> None:
        """Forward ``on_tile_start``."""
        self._call_all("on_tile_start", tile, tile_index, total_tiles)

    def on_tile_end(self, tile: ProcessedTile, tile_index: int, total_tiles: int) -> None:
        """Forward ``on_tile_end``."""
        self._call_all("on_tile_end", tile, tile_index, total_tiles)

    def on_tile_processed(self, tile: ProcessedTile, tile_index: int, total_tiles: int) -> None:
        """Forward the legacy ``on_tile_processed`` (for direct calls)."""
        self._call_all("on_tile_processed", tile, tile_index, total_tiles)

    def on_chunk_processed(self, tile: Any, chunk_index: int, total_chunks: int) -> None:
        """Forward the legacy ``on_chunk_processed`` (for direct calls)."""
        self._call_all("on_chunk_processed", tile, chunk_index, total_chunks)

    def on_processing_complete(self, stats: ProcessingStats) -> None:
        """Forward the legacy ``on_processing_complete`` (for direct calls)."""
        self._call_all("on_processing_complete", stats)


def _listens(callback: Any, query: str, hooks: tuple[str, ...]) -> bool:
    """Ask ``callback.<query>()``; a duck-typed callback lacking it listens if it has a hook."""
    method = getattr(callback, query, None)
    if method is not None:
        return bool(method())
    return any(hasattr(callback, name) for name in hooks)
