// Runs an operation of the engine (a built-in one, by id) on a numpy array or a source,
// into a numpy array or a file, entirely in C++ without the GIL; tile and chunk events go
// to a Python listener, one at a time.
#pragma once

#include <pybind11/numpy.h>

#include <memory>
#include <optional>
#include <string>

#include "tileflow/engine.hpp"
#include "tileflow/open.hpp"

namespace tileflow::python {

// What a run gives back besides its pixels.
struct OperationReport {
    std::vector<std::string> notes;
    std::vector<std::pair<std::string, double>> measurements;
};

// `input` is a numpy array (last two axes spatial, leading axes channels) or a
// std::shared_ptr<Source>. The result goes to `outputPath` when given (`out` is then None),
// else into `out` (a writeable array of the result's shape and dtype) or a new array, which is
// returned with the report. The listener (or None) gets engine_start(tiles) and
// engine_tile_start/engine_tile_end((index, row, col, cx, cy, cw, ch, hx, hy, hw, hh),
// tiles_done, engine_bytes, engine_peak_bytes).
std::pair<pybind11::object, OperationReport> runOperation(
    const std::shared_ptr<const Operation>& operation, const EngineOptions& options,
    const pybind11::object& input, pybind11::object out,
    const std::optional<std::string>& outputPath, const OutputSettings& settings,
    const pybind11::object& listener);

}  // namespace tileflow::python
