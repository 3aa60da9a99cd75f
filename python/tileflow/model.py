"""``TileFlow``: tiles an image, runs a function or a built-in operation on every tile, and
puts the cores back together.

Code written for the original TileFlow runs unchanged: the same constructor, ``configure``,
``run`` and ``summary``, the same grid (see ``tileflow.tiling``), the same tile function
contract (``function(tile, tile_spec)`` or ``function(tile)``; leading axes such as
``(C, H, W)`` or ``(T, C, H, W)`` passed whole; outputs whose last two axes are the tile's, with
any leading axes and dtype), the same validation errors. Where the original was wrong, this
one differs, on purpose:

- Tile functions run on worker threads (``threads``, default: every core), holding the GIL
  only while Python code runs, so numpy work that releases the GIL uses every core. Tiles are
  read-only zero-copy views of the input: writing to one raises instead of corrupting the
  input and the neighbours' overlaps.
- Nothing is kept per tile: each core is copied into the output as its tile finishes (peak
  memory: input + output), or streamed to a file with ``output=``.
- The function is called with two arguments when its signature takes two, else with one; a
  ``TypeError`` raised inside it is never retried nor hidden. A failing tile raises
  ``TileError`` naming the tile, with the function's exception as ``__cause__``.
- Every tile must return the same dtype and leading axes (the original cast them silently to
  the last tile's); a given ``out=`` array is written with ``same_kind`` casting.
- Chunk mode (``chunk_size``) returns the result (or streams it to ``output=``) instead of
  None; ``chunk_function`` still sees each chunk's halo-sized result and its spec.
- Callbacks see the real number of tiles from the start (chunk mode too), real elapsed time
  without any MetricsCallback, and an exception raised by a callback fails the run instead of
  being printed and ignored.
- ``configure("sobel", ...)`` or ``configure(tileflow.operation(...))`` runs a built-in
  operation entirely in C++; the overlap is raised to the operation's radius with a warning
  when it is smaller. Built-in operations tile with the engine's own grid (tile size and
  overlap as given): results are identical to a whole-image run whatever the grid.
- ``run`` accepts ``tileflow.open(path)`` images and any array-like (zarr...), read chunk by
  chunk, and Ctrl-C cancels a run within a fraction of a second, leaving no partial output.
"""

from __future__ import annotations

import concurrent.futures
import inspect
import os
import time
import warnings
from typing import Callable, Optional

import numpy as np

from . import _native
from .backends import NumpyStreamable, SourceStreamable, Streamable, as_streamable
from .callback import CompositeCallback, ProcessingStats, TileFlowCallback
from .core import BBox, BoundaryEdges, ProcessedTile, TileGeometry, TilePosition, TileSpec
from .operations import Operation
from .tiling import GridSpec, tile_table
from .utils import validate_overlap, validate_tile_size

__all__ = ["TileFlow", "TileError"]

# Rows of input a band of a lazily read input may hold, in bytes.
_BAND_BYTES = 64 << 20


class TileError(RuntimeError):
    """A tile function failed; ``tile`` is the TileSpec, ``__cause__`` the function's error.

    The error raised is also an instance of the function's exception class where Python
    allows it (ValueError, TypeError, KeyError... but not OSError), so that ``except
    ValueError`` written for the original still catches a ValueError raised in a tile.
    """

    def __init__(self, message: str, tile: TileSpec) -> None:
        super().__init__(message)
        self.tile = tile


_tile_error_classes: dict[type, type] = {}


def _tile_error(cause: BaseException, message: str, tile: TileSpec) -> TileError:
    """A TileError that is also of ``cause``'s class when the two classes can be combined."""
    kind = type(cause)
    if kind not in _tile_error_classes:
        try:
            combined = type(f"TileError[{kind.__name__}]", (TileError, kind), {})
            combined(message, tile)
        except TypeError:
            combined = TileError
        _tile_error_classes[kind] = combined
    return _tile_error_classes[kind](message, tile)


def _arity(function: Callable) -> int:
    """2 when ``function`` can take ``(tile, tile_spec)``, else 1."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return 1
    positional = 0
    for p in signature.parameters.values():
        if p.kind == p.VAR_POSITIONAL:
            return 2
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            positional += 1
    return 2 if positional >= 2 else 1


def _stacking(function: Callable, arity: int) -> tuple[Callable, list]:
    """``function`` returning one array where it returns a list of arrays; the flag list says
    whether it did, so that the result can be split again."""
    returned_list = []

    def call(*args):
        result = function(*args[:arity])
        if isinstance(result, (list, tuple)):
            if not returned_list:
                returned_list.append(True)
            return np.stack([np.asarray(r) for r in result])
        return result
    return call, returned_list


def _spec_of_engine_tile(t, height: int, width: int) -> TileSpec:
    _, row, col, cx, cy, cw, ch, hx, hy, hw, hh = t
    edges = BoundaryEdges(cx == 0, cx + cw == width, cy == 0, cy + ch == height)
    return TileSpec(TileGeometry(BBox(cx, cy, cx + cw, cy + ch), BBox(hx, hy, hx + hw, hy + hh)),
                    TilePosition((row, col), edges))


class _Events:
    """Turns the runners' tile and chunk events into callback calls and stats updates.

    Runners call it one event at a time. ``specs`` are the tiles of the current run;
    ``offset`` makes tile indices run on across bands and chunks.
    """

    def __init__(self, callback: CompositeCallback, stats: ProcessingStats,
                 image_size: tuple[int, int]) -> None:
        self.callback = callback
        self.stats = stats
        self.image_size = image_size
        self.specs: list[TileSpec] = []
        self.offset = 0
        self.started = False
        self.returned_list = None
        self.call = None  # the tile function as runners call it, see TileFlow._prepare_call
        self.tiles = callback.has_tile_listeners()

    def start(self) -> None:
        if not self.started:
            self.started = True
            self.stats.start_time = time.time()
            self.callback.on_processing_start(self.stats)

    def tile_start(self, i: int) -> None:
        self.callback.on_tile_start(ProcessedTile(self.specs[i], []), self.offset + i,
                                    self.stats.total_tiles)

    def tile_end(self, i: int, result) -> None:
        self.stats.processed_tiles += 1
        data = list(result) if self.returned_list else [result]
        self.callback.on_tile_end(ProcessedTile(self.specs[i], data), self.offset + i,
                                  self.stats.total_tiles)

    # Events of built-in operations, run by the engine.
    def engine_start(self, tiles: int) -> None:
        if not self.started:
            self.stats.total_tiles = tiles
            self.start()

    def _engine_tile(self, t, engine_bytes: int, engine_peak: int):
        self.stats.engine_bytes = engine_bytes
        self.stats.engine_peak_bytes = max(self.stats.engine_peak_bytes, engine_peak)
        return ProcessedTile(_spec_of_engine_tile(t, *self.image_size), [])

    def engine_tile_start(self, t, done, engine_bytes, engine_peak) -> None:
        tile = self._engine_tile(t, engine_bytes, engine_peak)
        self.callback.on_tile_start(tile, self.offset + done, self.stats.total_tiles)

    def engine_tile_end(self, t, done, engine_bytes, engine_peak) -> None:
        tile = self._engine_tile(t, engine_bytes, engine_peak)
        self.stats.processed_tiles += 1
        self.callback.on_tile_end(tile, self.offset + done - 1, self.stats.total_tiles)


class _Output:
    """Where a run's result goes: an array in memory (given, or made from the first pixels
    that arrive) or a file written band by band."""

    def __init__(self, shape_hw, out, path, compression, pixel_size) -> None:
        self.height, self.width = shape_hw
        self.array = out
        self.writer = None
        if path is not None:
            self.writer = _native.SinkWriter(str(path), compression, 512, pixel_size, [])
        self.begun = False

    def put(self, pixels: np.ndarray, y: int, x: int) -> None:
        """Stores ``pixels`` (leading axes, rows, columns) at row ``y``, column ``x``."""
        if self.writer is not None:
            planes = pixels.reshape((-1,) + pixels.shape[-2:])
            if not self.begun:
                self.begun = True
                self.writer.begin(planes.shape[0], planes.dtype, self.height, self.width)
            self.writer.write(x, y, np.ascontiguousarray(planes))
            return
        if self.array is None:
            self.array = np.empty(pixels.shape[:-2] + (self.height, self.width), pixels.dtype)
        h, w = pixels.shape[-2:]
        np.copyto(self.array[..., y:y + h, x:x + w], pixels, casting="same_kind")

    def finish(self):
        if self.writer is not None:
            self.writer.commit()
        return self.array

    def abort(self) -> None:
        if self.writer is not None:
            self.writer.abort()


def _region(stream: Streamable, y0: int, y1: int, x0: int, x1: int) -> np.ndarray:
    return stream[(Ellipsis, slice(y0, y1), slice(x0, x1))]


def run_operation_on(operation: Operation, image, out=None, output=None, compression=None,
                     tile=(512, 512), overlap=0, threads=0, events=None):
    """Runs a built-in operation over a numpy array or a tileflow.open image."""
    if isinstance(image, SourceStreamable):
        source, pixel_size = image._source, image.pixel_size
    else:
        source, pixel_size = np.asarray(image), None
    result, notes, measurements = _native.run_operation(
        operation._native, tile[0], tile[1], overlap, threads, source, out,
        None if output is None else str(output), compression, 512, pixel_size, [], events)
    for note in notes:
        warnings.warn(note, UserWarning, stacklevel=3)
    return result, dict(measurements)


class TileFlow:
    """Tiled processing of large images; see the module description.

    Sizes are ``(height, width)`` in pixels. ``threads`` (keyword only, not in the original)
    sets how many tiles run at once; default: every core. After a direct-mode run of a
    built-in operation, ``measurements`` holds what it reported (e.g. ``nuclei_count``).
    """

    def __init__(self, tile_size, overlap=(0, 0), chunk_size=None, chunk_overlap=(16, 16),
                 name: str = "TileFlow", *, threads: Optional[int] = None) -> None:
        self.tile_size = validate_tile_size(tile_size, name="tile_size")
        self.overlap = validate_overlap(overlap, self.tile_size, "overlap")
        self.chunk_size = None
        self.chunk_overlap = tuple(chunk_overlap)
        if chunk_size is not None:
            self.chunk_size = validate_tile_size(chunk_size, name="chunk_size")
            self.chunk_overlap = validate_overlap(chunk_overlap, self.chunk_size,
                                                  "chunk_overlap")
        self.name = name
        self.threads = threads if threads else (os.cpu_count() or 1)
        self._function = None
        self._operation: Optional[Operation] = None
        self._chunk_function = None
        self.measurements: dict[str, float] = {}

    @property
    def _configured(self) -> bool:
        return self._function is not None or self._operation is not None

    @property
    def _processor(self):
        """What runs on every tile (the original's attribute name)."""
        return self._function or self._operation

    @property
    def _chunk_processor(self):
        """The chunk function (the original's attribute name)."""
        return self._chunk_function

    def configure(self, function, chunk_function=None, **parameters) -> "TileFlow":
        """Sets what runs on every tile: a callable ``f(tile, tile_spec)`` or ``f(tile)``, a
        built-in operation's id with its ``parameters``, or a ``tileflow.operation(...)``.
        ``chunk_function(chunk_result, chunk_spec)`` sees each chunk's result in chunk mode.
        Returns self."""
        if isinstance(function, str):
            known = [o["id"] for o in _native.operation_infos()]
            if function not in known:
                raise TypeError(f"function must be callable or the id of a built-in operation "
                                f"({', '.join(known)}), got {function!r}")
            function = Operation(function, **parameters)
        elif parameters:
            raise TypeError("parameters are for built-in operations given by id")
        if isinstance(function, Operation):
            self._operation, self._function = function, None
        elif callable(function):
            self._function, self._operation = function, None
        else:
            raise TypeError("function must be callable")
        if chunk_function is not None and not callable(chunk_function):
            raise TypeError("chunk_function must be callable")
        self._chunk_function = chunk_function
        return self

    def summary(self) -> None:
        """Prints the configuration, in the original's format."""
        print(f"TileFlow Processor: {self.name}")
        print("=" * 50)
        print(f"Tile size:      {self.tile_size}")
        print(f"Tile overlap:   {self.overlap}")
        if self.chunk_size:
            print(f"Chunk size:     {self.chunk_size}")
            print(f"Chunk overlap:  {self.chunk_overlap}")
            print("Mode:           Hierarchical (chunks → tiles)")
        else:
            print("Mode:           Direct tiling")
        print(f"Threads:        {self.threads}")
        print(f"Configured:     {self._configured}")
        if self._configured:
            what = self._operation or getattr(self._function, "__name__", "Custom function")
            print(f"Function:       {what}")
        if self._chunk_function is not None:
            name = getattr(self._chunk_function, "__name__", "Custom chunk function")
            print(f"Chunk function: {name}")
        print("=" * 50)

    def run(self, data, callbacks=None, return_tiles: bool = False, *, out=None, output=None,
            compression: Optional[str] = None):
        """Processes ``data`` (numpy array, array-like, or ``tileflow.open(...)`` image).

        Returns the result as a numpy array (a list of arrays when the function returns
        lists); with ``out=`` an array to write it into (returned); with ``output=`` a file
        (.tif/.tiff pyramidal TIFF, .zarr OME-Zarr, .npy) written in bounded memory and
        returned opened lazily; with ``return_tiles=True`` (direct mode) the list of
        ProcessedTile. ``compression`` names the file writer's compression.
        """
        if not self._configured:
            raise RuntimeError(f"Processor '{self.name}' must be configured before use. "
                               "Call configure() first.")
        stream = as_streamable(data)
        height, width = stream.shape[-2:]
        self._check_fits(self.tile_size, (height, width), "Tile")
        if self.chunk_size is not None:
            self._check_fits(self.chunk_size, (height, width), "Chunk")
        if out is not None and output is not None:
            raise ValueError("give either out= or output=, not both")
        if out is not None and not (isinstance(out, np.ndarray) and out.flags.writeable):
            raise TypeError("out must be a writeable numpy array")

        if callbacks is None:
            callbacks = []
        elif isinstance(callbacks, TileFlowCallback):
            callbacks = [callbacks]
        callback = CompositeCallback(list(callbacks))
        stats = ProcessingStats(input_shape=tuple(stream.shape), tile_size=self.tile_size,
                                overlap=self.overlap, chunk_size=self.chunk_size)
        events = _Events(callback, stats, (height, width))
        pixel_size = getattr(stream, "pixel_size", None)
        sink = _Output((height, width), out, output, compression, pixel_size)
        try:
            if return_tiles and self.chunk_size is None:
                result = self._tiles(stream, events)
            elif self.chunk_size is not None:
                result = self._chunks(stream, sink, events)
            elif self._operation is not None:
                result = self._operation_run(stream, sink, events, out, output, compression)
            else:
                result = self._bands(stream, sink, events)
        except BaseException as error:
            sink.abort()
            stats.end_time = time.time()
            if events.started:
                callback.on_processing_error(error, stats)
            if getattr(error, "_tileflow_tile", None) is not None:
                spec = events.specs[error._tileflow_tile]
                raise _tile_error(error, f"the tile function failed on tile "
                                  f"{spec.position.position} (core {tuple(spec.geometry.core)}): "
                                  f"{type(error).__name__}: {error}", spec) from error
            raise
        events.start()
        stats.end_time = time.time()
        if output is not None:
            from .backends import open as open_image
            result = open_image(output)
        if isinstance(result, np.ndarray):
            stats.output_shape = result.shape
            if events.returned_list:
                result = list(result) if len(result) > 1 else result[0]
        callback.on_processing_end(stats)
        return result

    @staticmethod
    def _check_fits(size, image, what) -> None:
        if size[0] > image[0]:
            raise ValueError(f"{what} height {size[0]} cannot exceed image height {image[0]}")
        if size[1] > image[1]:
            raise ValueError(f"{what} width {size[1]} cannot exceed image width {image[1]}")

    def _engine_overlap(self) -> int:
        radius = self._operation.radius
        if min(self.overlap) < radius:
            warnings.warn(f"overlap {self.overlap} is smaller than the radius {radius} that "
                          f"'{self._operation.id}' needs: raised to {radius}", UserWarning,
                          stacklevel=4)
        return max(radius, *self.overlap)

    def _operation_run(self, stream, sink, events, out, output, compression):
        if not isinstance(stream, (NumpyStreamable, SourceStreamable)):
            return self._bands(stream, sink, events)  # array-likes the engine cannot read
        image = stream.array if isinstance(stream, NumpyStreamable) else stream
        listener = events if events.tiles else None
        if listener is None:
            events.start()
        result, self.measurements = run_operation_on(
            self._operation, image, out=out, output=output, compression=compression,
            tile=self.tile_size, overlap=self._engine_overlap(), threads=self.threads,
            events=listener)
        return result

    def _specs(self, shape_hw) -> list[TileSpec]:
        specs = list(GridSpec(self.tile_size, self.overlap).build_grid(tuple(shape_hw)))
        if not specs:
            raise ValueError(f"a region of {shape_hw[0]} x {shape_hw[1]} pixels holds no tile "
                             f"of {self.tile_size}: use a smaller tile_size or a larger "
                             "chunk_size")
        return specs

    def _prepare_call(self, events) -> None:
        """Gives the run's events the tile function as runners call it (always with two
        arguments, returning one array)."""
        if self._function is not None:
            events.call, events.returned_list = _stacking(self._function,
                                                          _arity(self._function))

    def _run_region(self, pixels: np.ndarray, y: int, x: int, specs, events, out,
                    out_region) -> np.ndarray:
        """Runs over ``specs`` (image coordinates) on ``pixels`` read from (y, x); returns the
        output holding ``out_region`` (``out`` when given, for tile functions)."""
        if self._operation is not None:
            result, _ = run_operation_on(self._operation, pixels, tile=self.tile_size,
                                         overlap=self._engine_overlap(), threads=self.threads)
            oy, ox, oh, ow = out_region
            return result[..., oy - y:oy - y + oh, ox - x:ox - x + ow]
        events.specs = specs
        listener = events if events.tiles else None
        return _native.run_tiles(events.call, 2, pixels, y, x, tile_table(specs), specs, out,
                                 out_region, listener, self.threads)

    def _bands(self, stream: Streamable, sink: _Output, events: _Events):
        """Direct mode: all tiles at once for a numpy input kept in memory; otherwise bands of
        tile rows, each read (the next one while the current one runs) and written on."""
        height, width = stream.shape[-2:]
        specs = self._specs((height, width))
        events.stats.total_tiles = len(specs)
        self._prepare_call(events)
        events.start()
        in_memory = isinstance(stream, NumpyStreamable)
        if in_memory and sink.writer is None:
            sink.array = self._run_region(stream.array, 0, 0, specs, events, sink.array,
                                          (0, 0, height, width))
            return sink.array
        bands = self._band_rows(specs, stream)
        reader = concurrent.futures.ThreadPoolExecutor(1)
        try:
            read = lambda b: _region(stream, b[0].geometry.halo.y0, b[-1].geometry.halo.y1,
                                     0, width)
            pending = reader.submit(read, bands[0])
            for k, band in enumerate(bands):
                pixels = pending.result()
                if k + 1 < len(bands):
                    pending = reader.submit(read, bands[k + 1])
                y0, y1 = band[0].geometry.core.y0, band[-1].geometry.core.y1
                result = self._run_region(np.asarray(pixels), band[0].geometry.halo.y0, 0, band,
                                          events, None, (y0, 0, y1 - y0, width))
                events.offset += len(band)
                sink.put(result, y0, 0)
        finally:
            reader.shutdown(cancel_futures=True)
        return sink.finish()

    def _band_rows(self, specs, stream) -> list[list[TileSpec]]:
        rows: dict[int, list[TileSpec]] = {}
        for spec in specs:
            rows.setdefault(spec.position.position[0], []).append(spec)
        row_bytes = stream.dtype.itemsize * int(np.prod(stream.shape[:-2], dtype=np.int64)) \
            * stream.shape[-1]
        bands, current, current_rows = [], [], 0
        for row in rows.values():
            halo_rows = row[0].geometry.halo.height
            if current and (current_rows + halo_rows) * row_bytes > _BAND_BYTES:
                bands.append(current)
                current, current_rows = [], 0
            current += row
            current_rows += halo_rows
        bands.append(current)
        return bands

    def _chunks(self, stream: Streamable, sink: _Output, events: _Events):
        """Chunk mode, as the original: each chunk's halo is processed as an image of its own
        (tiles in chunk coordinates), then its core goes to the output."""
        height, width = stream.shape[-2:]
        chunks = list(GridSpec(self.chunk_size, self.chunk_overlap).build_grid((height, width)))
        per_chunk = [self._specs(c.geometry.halo.shape) for c in chunks]
        stats = events.stats
        stats.total_chunks = len(chunks)
        stats.total_tiles = sum(len(s) for s in per_chunk)
        self._prepare_call(events)
        events.start()
        callback = events.callback
        for i, (chunk, specs) in enumerate(zip(chunks, per_chunk)):
            halo, core = chunk.geometry.halo, chunk.geometry.core
            callback.on_chunk_start(i, len(chunks), halo.shape)
            pixels = np.asarray(_region(stream, halo.y0, halo.y1, halo.x0, halo.x1))
            result = self._run_region(pixels, 0, 0, specs, events, None,
                                      (0, 0, halo.height, halo.width))
            events.offset += len(specs)
            if self._chunk_function is not None:
                self._chunk_function(result, chunk)
            sink.put(result[..., core.y0 - halo.y0:core.y1 - halo.y0,
                            core.x0 - halo.x0:core.x1 - halo.x0], core.y0, core.x0)
            stats.processed_chunks = i + 1
            callback.on_chunk_end(i, len(chunks), halo.shape)
        return sink.finish()

    def _tiles(self, stream: Streamable, events: _Events) -> list[ProcessedTile]:
        """``return_tiles=True``: every tile's halo-sized output, in grid order (serial)."""
        specs = self._specs(stream.shape[-2:])
        events.stats.total_tiles = len(specs)
        events.specs = specs
        call = self._operation or self._function
        arity = 1 if self._operation is not None else _arity(call)
        events.start()
        tiles = []
        for i, spec in enumerate(specs):
            halo = spec.geometry.halo
            tile = np.asarray(_region(stream, halo.y0, halo.y1, halo.x0, halo.x1)).view()
            tile.flags.writeable = False
            events.tile_start(i)
            try:
                result = call(tile, spec) if arity == 2 else call(tile)
            except Exception as error:
                error._tileflow_tile = i
                raise
            events.tile_end(i, result)
            tiles.append(ProcessedTile(spec, result))
        return tiles

