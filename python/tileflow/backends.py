"""Array-likes TileFlow reads from: numpy arrays, zarr arrays, and files opened lazily.

``as_streamable`` wraps what ``TileFlow.run`` is given, as in the original. Beyond the
original, ``tileflow.open(path)`` gives a ``SourceStreamable`` over any file the engine reads
(whole-slide scans, TIFF and OME-TIFF, zarr and OME-Zarr, .npy, ``synthetic:`` specs): nothing
is read until a region is sliced or a run streams it chunk by chunk.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

__all__ = ["Streamable", "NumpyStreamable", "ZarrStreamable", "SourceStreamable",
           "as_streamable", "open"]


class Streamable(ABC):
    """An array-like whose regions can be read: ``shape``, ``dtype``, ``arr[key]``."""

    @property
    @abstractmethod
    def shape(self) -> tuple[int, ...]: ...

    @property
    @abstractmethod
    def dtype(self) -> np.dtype: ...

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @abstractmethod
    def __getitem__(self, key) -> np.ndarray: ...

    def create_output(self, shape, dtype=None) -> "Streamable":
        """An in-memory array of ``shape`` (the original's API; runs do not use it)."""
        return NumpyStreamable(np.zeros(shape, dtype=dtype or self.dtype))

    def __setitem__(self, key, value) -> None:
        raise TypeError(f"{type(self).__name__} is read-only")


class NumpyStreamable(Streamable):
    """A numpy array; regions are views of it."""

    def __init__(self, array: np.ndarray) -> None:
        if not isinstance(array, np.ndarray):
            raise TypeError(f"Expected np.ndarray, got {type(array)}")
        if array.ndim < 2:
            raise ValueError(f"Array must be at least 2D, got shape {array.shape}")
        self.array = array

    @property
    def shape(self):
        return self.array.shape

    @property
    def dtype(self):
        return self.array.dtype

    def __getitem__(self, key):
        return self.array[key]

    def __setitem__(self, key, value):
        self.array[key] = value


class ZarrStreamable(Streamable):
    """Anything with ``shape``, ``dtype`` and slicing (zarr, h5py, dask...); regions are read
    as numpy arrays, chunk by chunk during a run."""

    def __init__(self, array) -> None:
        if not (hasattr(array, "shape") and hasattr(array, "dtype")):
            raise TypeError(f"ZarrStreamable needs an array-like, got {type(array).__name__}")
        if len(array.shape) < 2:
            raise ValueError(f"Array must be at least 2D, got shape {tuple(array.shape)}")
        self.array = array

    @property
    def shape(self):
        return tuple(self.array.shape)

    @property
    def dtype(self):
        return np.dtype(self.array.dtype)

    def __getitem__(self, key):
        return np.asarray(self.array[key])

    def __setitem__(self, key, value):
        self.array[key] = value

    def create_output(self, shape, dtype=None) -> "ZarrStreamable":
        """An in-memory zarr array of ``shape`` (the original's API; runs do not use it)."""
        import zarr
        return ZarrStreamable(zarr.zeros(shape, dtype=dtype or self.dtype))


def _spatial_slice(key, extent: int) -> tuple[int, int]:
    if isinstance(key, (int, np.integer)):
        index = int(key) + (extent if key < 0 else 0)
        if not 0 <= index < extent:
            raise IndexError(f"index {key} is outside 0..{extent - 1}")
        return index, index + 1
    start, stop, step = key.indices(extent)
    if step != 1:
        raise IndexError("spatial slices of a file take a step of 1")
    return start, max(start, stop)


class SourceStreamable(Streamable):
    """A file the engine reads, lazily: ``(C, H, W)`` (``(H, W)`` for one channel).

    Attributes: ``levels`` (``(height, width, downsample)`` per pyramid level, full
    resolution first), ``channel_names``, ``pixel_size`` (micrometres per pixel at level 0, or
    None), ``format``, ``properties``. ``image[c, y0:y1, x0:x1]`` reads only that region;
    ``level(i)`` is pyramid level ``i`` as a SourceStreamable of its own. Reads are
    thread-safe and release the GIL.
    """

    def __init__(self, source, name: str) -> None:
        self._source = source
        self.name = name
        meta = source.metadata()
        self.format = meta["format"]
        self.levels = [(h, w, d) for (w, h, d) in meta["levels"]]
        self.channel_names = list(meta["channel_names"])
        self.pixel_size = meta["microns_per_pixel"]
        self.properties = dict(meta["properties"])

    @property
    def shape(self):
        s = self._source
        return (s.height, s.width) if s.channels == 1 else (s.channels, s.height, s.width)

    @property
    def dtype(self):
        return np.dtype(self._source.dtype)

    def level(self, index: int) -> "SourceStreamable":
        """Pyramid level ``index`` (0 is full resolution)."""
        return SourceStreamable(self._source.level(index), f"{self.name} level {index}")

    def __getitem__(self, key):
        key = key if isinstance(key, tuple) else (key,)
        if Ellipsis in key:
            at = key.index(Ellipsis)
            key = key[:at] + (slice(None),) * (self.ndim - len(key) + 1) + key[at + 1:]
        key = key + (slice(None),) * (self.ndim - len(key))
        if len(key) != self.ndim:
            raise IndexError(f"too many indices for an image of shape {self.shape}")
        y0, y1 = _spatial_slice(key[-2], self._source.height)
        x0, x1 = _spatial_slice(key[-1], self._source.width)
        pixels = self._source.read(0, x0, y0, x1 - x0, y1 - y0)
        region = pixels[key[0]] if self.ndim == 3 else pixels[0]
        if isinstance(key[-2], (int, np.integer)):
            region = region[..., 0, :]
        if isinstance(key[-1], (int, np.integer)):
            region = region[..., 0]
        return region

    def __repr__(self) -> str:
        return (f"<tileflow image {self.name!r}: {self.format}, shape {self.shape}, "
                f"{self.dtype}, {len(self.levels)} levels>")


def as_streamable(data) -> Streamable:
    """``data`` as a Streamable: numpy arrays, Streamables, and array-likes with ``shape`` and
    ``dtype`` (zarr, h5py...)."""
    if isinstance(data, np.ndarray):
        return NumpyStreamable(data)
    if isinstance(data, Streamable):
        return data
    if hasattr(data, "shape") and hasattr(data, "dtype"):
        return ZarrStreamable(data)
    raise TypeError(f"Unsupported data type: {type(data).__name__}. "
                    "Supported: np.ndarray, zarr.Array, tileflow.open(...)")


def open(path) -> SourceStreamable:  # noqa: A001 - the package's public name
    """Opens ``path`` lazily (see SourceStreamable); OSError names the file when it cannot
    be read."""
    from . import _native
    name = str(path)
    return SourceStreamable(_native.open_source(name), name)
