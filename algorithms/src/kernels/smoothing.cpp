#include "smoothing.hpp"

#include <algorithm>
#include <cmath>

#include "border.hpp"
#include "float_planes.hpp"

namespace tileflow::kernels {

namespace {

// out[i] = sum_k w[k] * in[i + k] for k in [0, taps).
__attribute__((target_clones("avx2", "default"))) void correlateRow(const float* in, const float* w,
                                                                    int taps, float* out,
                                                                    std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i)
        out[i] = 0.0f;
    for (int k = 0; k < taps; ++k) {
        const float wk = w[k];
        const float* src = in + k;
        for (std::int64_t i = 0; i < n; ++i)
            out[i] += wk * src[i];
    }
}

// acc[i] += w * row[i]
__attribute__((target_clones("avx2", "default"))) void accumulateRow(float* acc, const float* row,
                                                                     float w, std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i)
        acc[i] += w * row[i];
}

}  // namespace

GaussianSmoother::GaussianSmoother(double sigma, double truncate)
    // SciPy's radius, int(truncate * sigma + 0.5), for the same kernel (both are positive).
    : radius_(static_cast<int>(truncate * sigma + 0.5)) {  // NOLINT(bugprone-incorrect-roundings)
    const std::size_t taps = 2 * static_cast<std::size_t>(radius_) + 1;
    std::vector<double> phi(taps);
    double sum = 0;
    for (std::size_t i = 0; i < taps; ++i) {
        const int k = static_cast<int>(i) - radius_;
        phi[i] = std::exp(-0.5 / (sigma * sigma) * k * k);
        sum += phi[i];
    }
    for (double v : phi)
        weights_.push_back(static_cast<float>(v / sum));
}

void GaussianSmoother::smooth(ConstImageView in, int channel, const Rect& region, float* out,
                              std::int64_t outStride) const {
    thread_local std::vector<float> scratch, column, padded;
    const std::int64_t w = in.width(), h = in.height(), r = radius_;
    column.resize(static_cast<std::size_t>(w));
    padded.resize(static_cast<std::size_t>(region.width + 2 * r));
    const int taps = static_cast<int>(weights_.size());
    const FloatPlane plane(in, channel, scratch);
    for (std::int64_t y = 0; y < region.height; ++y) {
        const std::int64_t yy = region.y + y;
        std::fill(column.begin(), column.end(), 0.0f);
        for (int k = 0; k < taps; ++k) {
            accumulateRow(column.data(), plane.row(reflectIndex(yy - r + k, h)),
                          weights_[static_cast<std::size_t>(k)], w);
        }
        for (std::int64_t j = 0; j < region.width + 2 * r; ++j) {
            padded[static_cast<std::size_t>(j)] =
                column[static_cast<std::size_t>(reflectIndex(region.x - r + j, w))];
        }
        correlateRow(padded.data(), weights_.data(), taps, out + y * outStride, region.width);
    }
}

}  // namespace tileflow::kernels
