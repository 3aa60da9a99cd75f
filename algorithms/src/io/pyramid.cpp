#include "pyramid.hpp"

#include <type_traits>

namespace tileflow::detail {

namespace {

template <typename T>
T meanOf(double r0a, double r0b, double r1a, double r1b, int n) {
    const double sum = (r0a + r0b) + (r1a + r1b);
    if constexpr (std::is_floating_point_v<T>) {
        return static_cast<T>(sum / n);
    } else {
        // Scaled to four samples the sum stays exact; an arithmetic shift floors it.
        const auto fourfold = static_cast<std::int64_t>(sum) * (4 / n);
        return static_cast<T>((fourfold + 2) >> 2);
    }
}

template <typename T>
void downsamplePlane(const std::byte* in, std::int64_t inRowBytes, std::int64_t width,
                     std::int64_t height, std::byte* out, std::int64_t outRowBytes) {
    const Size half = halvedSize({width, height});
    for (std::int64_t y = 0; y < half.height; ++y) {
        const auto* r0 = reinterpret_cast<const T*>(in + 2 * y * inRowBytes);
        const bool below = 2 * y + 1 < height;
        const auto* r1 = below ? reinterpret_cast<const T*>(in + (2 * y + 1) * inRowBytes) : r0;
        auto* o = reinterpret_cast<T*>(out + y * outRowBytes);
        for (std::int64_t x = 0; x < half.width; ++x) {
            const std::int64_t x0 = 2 * x;
            const bool right = x0 + 1 < width;
            const double r0b = right ? double(r0[x0 + 1]) : 0.0;
            const double r1a = below ? double(r1[x0]) : 0.0;
            const double r1b = below && right ? double(r1[x0 + 1]) : 0.0;
            o[x] = meanOf<T>(double(r0[x0]), r0b, r1a, r1b, (right ? 2 : 1) * (below ? 2 : 1));
        }
    }
}

}  // namespace

Size halvedSize(Size size) {
    return {(size.width + 1) / 2, (size.height + 1) / 2};
}

void downsample2x2(DType dtype, const std::byte* in, std::int64_t inRowBytes, std::int64_t width,
                   std::int64_t height, std::byte* out, std::int64_t outRowBytes) {
    switch (dtype) {
        case DType::U8:
            return downsamplePlane<std::uint8_t>(in, inRowBytes, width, height, out, outRowBytes);
        case DType::I8:
            return downsamplePlane<std::int8_t>(in, inRowBytes, width, height, out, outRowBytes);
        case DType::U16:
            return downsamplePlane<std::uint16_t>(in, inRowBytes, width, height, out, outRowBytes);
        case DType::I16:
            return downsamplePlane<std::int16_t>(in, inRowBytes, width, height, out, outRowBytes);
        case DType::U32:
            return downsamplePlane<std::uint32_t>(in, inRowBytes, width, height, out, outRowBytes);
        case DType::F32:
            return downsamplePlane<float>(in, inRowBytes, width, height, out, outRowBytes);
    }
}

}  // namespace tileflow::detail
