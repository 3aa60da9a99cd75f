// Internal: the arithmetic of reduced pyramid levels, shared by TiffSink and OmeZarrSink.
//
// Each level is the 2x2 mean of the one above it. A last odd row or column averages only
// the pixels that exist. Integers round half up (floor of the mean plus one half, also for
// negative values); f32 takes the mean in double and rounds it once to float.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tileflow/geometry.hpp"
#include "tileflow/image.hpp"

namespace tileflow::detail {

// The size of the next level down: each side halved, rounded up.
Size halvedSize(Size size);

// The 2x2 mean of one channel plane `in` (width x height samples, rows `inRowBytes` apart)
// into `out` (halvedSize of it, rows `outRowBytes` apart).
void downsample2x2(DType dtype, const std::byte* in, std::int64_t inRowBytes, std::int64_t width,
                   std::int64_t height, std::byte* out, std::int64_t outRowBytes);

}  // namespace tileflow::detail
