// Test helpers: random images with a fixed seed, and element access by (c, x, y).
#pragma once

#include <cstdint>
#include <random>

#include "tileflow/image.hpp"

namespace tileflow::testing {

// Uniform noise over the dtype's range (f32: [0, 1)), reproducible from `seed`.
inline Image randomImage(DType dtype, int channels, std::int64_t width, std::int64_t height,
                         std::uint32_t seed) {
    Image image(dtype, channels, width, height);
    std::mt19937 rng(seed);
    ImageView v = image.view();
    for (int c = 0; c < channels; ++c) {
        for (std::int64_t y = 0; y < height; ++y) {
            for (std::int64_t x = 0; x < width; ++x) {
                switch (dtype) {
                    case DType::U8:
                        v.row<std::uint8_t>(c, y)[x] = static_cast<std::uint8_t>(rng() & 0xff);
                        break;
                    case DType::I8:
                        v.row<std::int8_t>(c, y)[x] = static_cast<std::int8_t>(rng() & 0xff);
                        break;
                    case DType::U16:
                        v.row<std::uint16_t>(c, y)[x] = static_cast<std::uint16_t>(rng() & 0xffff);
                        break;
                    case DType::I16:
                        v.row<std::int16_t>(c, y)[x] = static_cast<std::int16_t>(rng() & 0xffff);
                        break;
                    case DType::U32:
                        v.row<std::uint32_t>(c, y)[x] = static_cast<std::uint32_t>(rng());
                        break;
                    case DType::F32:
                        v.row<float>(c, y)[x] = static_cast<float>(rng() >> 8) / 16777216.0f;
                        break;
                }
            }
        }
    }
    return image;
}

// Sample (c, x, y) of a view of any dtype, as a double.
inline double sampleAt(ConstImageView v, int c, std::int64_t x, std::int64_t y) {
    switch (v.dtype()) {
        case DType::U8:
            return v.row<std::uint8_t>(c, y)[x];
        case DType::I8:
            return v.row<std::int8_t>(c, y)[x];
        case DType::U16:
            return v.row<std::uint16_t>(c, y)[x];
        case DType::I16:
            return v.row<std::int16_t>(c, y)[x];
        case DType::U32:
            return v.row<std::uint32_t>(c, y)[x];
        case DType::F32:
            break;
    }
    return v.row<float>(c, y)[x];
}

template <typename T>
T at(ConstImageView v, int c, std::int64_t x, std::int64_t y) {
    return v.row<T>(c, y)[x];
}

}  // namespace tileflow::testing
