// Calls a generic function with a value of the C++ sample type that matches a DType, so
// per-pixel loops are written once for every dtype the engine knows.
#pragma once

#include <cstdint>

#include "tileflow/image.hpp"

namespace tileflow::gui {

template <typename Function>
decltype(auto) withSampleType(DType dtype, Function&& function) {
    switch (dtype) {
        case DType::U8:
            return function(std::uint8_t{});
        case DType::I8:
            return function(std::int8_t{});
        case DType::U16:
            return function(std::uint16_t{});
        case DType::I16:
            return function(std::int16_t{});
        case DType::U32:
            return function(std::uint32_t{});
        case DType::F32:
            break;
    }
    return function(float{});
}

}  // namespace tileflow::gui
