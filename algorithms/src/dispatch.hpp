// Internal: calls a generic lambda with a value of the C++ type that matches a DType.
#pragma once

#include <cstdint>

#include "tileflow/image.hpp"

namespace tileflow::detail {

template <typename F>
decltype(auto) dispatch(DType type, F&& f) {
    switch (type) {
        case DType::U8:
            return f(std::uint8_t{});
        case DType::I8:
            return f(std::int8_t{});
        case DType::U16:
            return f(std::uint16_t{});
        case DType::I16:
            return f(std::int16_t{});
        case DType::U32:
            return f(std::uint32_t{});
        case DType::F32:
            break;
    }
    return f(float{});
}

}  // namespace tileflow::detail
