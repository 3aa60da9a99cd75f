// Internal: boundary handling by index mapping, as scipy.ndimage names the modes.
//
// Kernels treat the edges of the input rectangle they are given as the image border; the
// engine guarantees that this is only ever reached where it really is the image border.
#pragma once

#include <cstdint>

namespace tileflow::kernels {

// "mirror": d c b | a b c d | c b a (the edge sample is not repeated).
inline std::int64_t mirrorIndex(std::int64_t i, std::int64_t n) {
    if (n == 1)
        return 0;
    const std::int64_t period = 2 * n - 2;
    i %= period;
    if (i < 0)
        i += period;
    return i < n ? i : period - i;
}

// "reflect": d c b a | a b c d | d c b a (the edge sample is repeated).
inline std::int64_t reflectIndex(std::int64_t i, std::int64_t n) {
    const std::int64_t period = 2 * n;
    i %= period;
    if (i < 0)
        i += period;
    return i < n ? i : period - 1 - i;
}

}  // namespace tileflow::kernels
