// Runs a Python tile function over tiles on worker threads, each holding the GIL only while
// Python code runs: the call itself, its listener's events and the checks of what it
// returned. Tiles are read-only numpy views of the input; the core of each result is copied
// into the output without the GIL.
#pragma once

#include <pybind11/numpy.h>

namespace tileflow::python {

// `tiles`: int64 (N, 10) rows of row, col, core x0 y0 x1 y1, halo x0 y0 x1 y1 in image
// pixels. `input` holds the image pixels from (inputY, inputX) on, its last two axes spatial.
// `specs[i]` is what the function gets with tile i when `arity` is 2. `out` (or a new array
// when it is None, shaped and typed by the first result) holds the output pixels of
// `outRegion` = (y, x, height, width). `listener` (or None) gets tile_start(i) and
// tile_end(i, result), one call at a time. A failing call's exception is raised with
// attribute `_tileflow_tile` = i; Ctrl-C raises KeyboardInterrupt. Returns the output.
pybind11::object runTiles(const pybind11::object& function, int arity, const pybind11::array& input,
                          std::int64_t inputY, std::int64_t inputX,
                          const pybind11::array_t<std::int64_t>& tiles, const pybind11::list& specs,
                          pybind11::object out, std::array<std::int64_t, 4> outRegion,
                          const pybind11::object& listener, int threads);

}  // namespace tileflow::python
