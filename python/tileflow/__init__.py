"""TileFlow: seamless tiled processing of gigapixel images, on the TileFlow C++ engine.

The original TileFlow's API, run on the C++ engine: code written for it runs unchanged (see
``tileflow.model`` for what differs and why). Beyond it: ``tileflow.open(path)`` reads
whole-slide scans, TIFF, OME-TIFF, zarr and .npy lazily; ``run(..., output="out.zarr")``
streams results to disk in bounded memory; ``configure("sobel")`` and the other built-in
operations run in C++ on every core.
"""

from .backends import (NumpyStreamable, SourceStreamable, Streamable, ZarrStreamable,
                       as_streamable, open)
from .callback import (CodeCarbonTracker, CompositeCallback, MemoryTracker, MetricsCallback,
                       ProcessingStats, ProgressCallback, TileFlowCallback)
from .core import BBox, BoundaryEdges, ProcessedTile, TileGeometry, TileSpec, new_image
from .examples import SobelEdgeDetector, generate_multichannel_image, generate_test_image
from .model import TileError, TileFlow
from .operations import Operation, operation, operations
from .utils import estimate_memory_usage, validate_overlap, validate_tile_size

__version__ = "0.6.0"

__all__ = [
    "TileFlow", "TileError",
    "BBox", "BoundaryEdges", "ProcessedTile", "TileGeometry", "TileSpec", "new_image",
    "Streamable", "NumpyStreamable", "ZarrStreamable", "SourceStreamable", "as_streamable",
    "open",
    "TileFlowCallback", "ProcessingStats", "ProgressCallback", "MetricsCallback",
    "MemoryTracker", "CodeCarbonTracker", "CompositeCallback",
    "SobelEdgeDetector", "generate_multichannel_image", "generate_test_image",
    "Operation", "operation", "operations",
    "estimate_memory_usage", "validate_overlap", "validate_tile_size",
]
