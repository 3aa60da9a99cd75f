// Internal: separable Gaussian smoothing, shared by the gaussian and nuclei kernels.
//
// Equal (to float rounding) to scipy.ndimage.gaussian_filter(x.astype(float32), sigma,
// mode="reflect", truncate=truncate): the kernel has radius int(truncate * sigma + 0.5) and
// is applied along columns and then along rows. Each output pixel is computed by the same
// float operations in the same order wherever it lies in the input, so a pixel at least
// radius() inside the non-border edges of its input gets the same bits in every tile.
#pragma once

#include <cstdint>
#include <vector>

#include "tileflow/geometry.hpp"
#include "tileflow/image.hpp"

namespace tileflow::kernels {

class GaussianSmoother {
public:
    GaussianSmoother(double sigma, double truncate);

    int radius() const { return radius_; }

    // Smooths channel `channel` of `in`, whose edges are treated as the image border, at
    // the pixels of `region` (in the coordinates of `in`). Row y of the result goes to
    // out + y * outStride. Thread-safe; scratch buffers are per thread.
    void smooth(ConstImageView in, int channel, const Rect& region, float* out,
                std::int64_t outStride) const;

private:
    int radius_;
    std::vector<float> weights_;
};

}  // namespace tileflow::kernels
