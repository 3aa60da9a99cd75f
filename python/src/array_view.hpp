// numpy arrays as the engine sees them: the spatial axes are the last two, every leading
// axis is folded into the channel axis, so (H, W), (C, H, W) and (T, C, H, W) arrays are all
// planar CHW images for the engine. No pixel is copied.
#pragma once

#include <pybind11/numpy.h>

#include <optional>
#include <string>
#include <vector>

#include "tileflow/image.hpp"

namespace tileflow::python {

// The engine's dtype for a numpy dtype; nullopt for dtypes the engine has no kernels for
// (float64, int32, bool...).
std::optional<DType> engineDType(const pybind11::dtype& dtype);
// The shape of an array, and as numpy prints it: "(3, 64, 64)", "(5,)".
std::vector<pybind11::ssize_t> shapeOf(const pybind11::array& array);
std::string shapeText(const std::vector<pybind11::ssize_t>& shape);

// The numpy dtype of an engine dtype.
pybind11::dtype numpyDType(DType dtype);

// A view of `array` (at least 2-D, of an engine dtype) when its rows are contiguous and its
// leading axes fold into one channel stride; nullopt otherwise.
std::optional<ConstImageView> constView(const pybind11::array& array);
// The same for a writeable array; nullopt also when the array is read-only.
std::optional<ImageView> writableView(pybind11::array& array);

}  // namespace tileflow::python
