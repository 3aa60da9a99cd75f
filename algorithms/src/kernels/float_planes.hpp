// Internal: one channel of a view as rows of floats, converting only when the view is not
// already f32. The converted copy goes to `scratch`, which callers keep per thread so that
// it is reused from tile to tile.
#pragma once

#include <cstdint>
#include <vector>

#include "../dispatch.hpp"
#include "tileflow/image.hpp"

namespace tileflow::kernels {

class FloatPlane {
public:
    FloatPlane(ConstImageView view, int channel, std::vector<float>& scratch)
        : width_(view.width()) {
        if (view.dtype() == DType::F32) {
            base_ = view.row<float>(channel, 0);
            stride_ = view.rowStride() / static_cast<std::int64_t>(sizeof(float));
            return;
        }
        scratch.resize(static_cast<std::size_t>(view.width() * view.height()));
        detail::dispatch(view.dtype(), [&](auto sample) {
            using T = decltype(sample);
            for (std::int64_t y = 0; y < view.height(); ++y) {
                const T* src = view.row<T>(channel, y);
                float* dst = scratch.data() + y * view.width();
                for (std::int64_t x = 0; x < view.width(); ++x)
                    dst[x] = static_cast<float>(src[x]);
            }
        });
        base_ = scratch.data();
        stride_ = view.width();
    }
    const float* row(std::int64_t y) const { return base_ + y * stride_; }
    std::int64_t width() const { return width_; }

private:
    const float* base_ = nullptr;
    std::int64_t stride_ = 0;
    std::int64_t width_ = 0;
};

}  // namespace tileflow::kernels
