// Internal: calls a generic lambda with a value of the C++ type that matches a DType (the
// library's own name for the public tileflow::visitDType).
#pragma once

#include <utility>

#include "tileflow/image.hpp"

namespace tileflow::detail {

template <typename F>
decltype(auto) dispatch(DType type, F&& f) {
    return visitDType(type, std::forward<F>(f));
}

}  // namespace tileflow::detail
