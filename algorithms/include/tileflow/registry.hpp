/// @file
/// The built-in operations, by id.
///
/// @verbatim
///   copy       the input unchanged (format conversion)
///   sobel      gradient magnitude per channel (f32)
///   gaussian   Gaussian smoothing per channel (f32)
///   stretch    global percentile contrast stretch to [0, 1] per channel (f32)
///   threshold  fixed, Otsu or percentile threshold per channel (u8 mask, 0 or 255)
///   nuclei     smoothed, thresholded nuclei mask of one channel plus a nuclei count (u8)
///   tissue     tissue mask of an RGB brightfield slide (u8)
///   ratio      normalised difference (a - b) / (a + b) of two channels, e.g. NDVI (f32)
/// @endverbatim
///
/// Each operation's parameters are listed by operationInfo(id). Thread-safe: the registry is
/// immutable. Unknown ids and bad parameters throw tileflow::InvalidArgument.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tileflow/operation.hpp"
#include "tileflow/parameters.hpp"

namespace tileflow {

/// The description of every built-in operation, in the order listed above.
const std::vector<OperationInfo>& builtinOperations();
/// The description of built-in operation `id`.
const OperationInfo& operationInfo(std::string_view id);
/// Built-in operation `id` for `parameters` (name -> text; missing names take their
/// defaults), validated as Parameters does. Shareable between threads and runs.
std::shared_ptr<const Operation> createOperation(
    std::string_view id, const std::map<std::string, std::string>& parameters = {});

}  // namespace tileflow
