#include "blend.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "../dispatch.hpp"

namespace tileflow::detail {

std::vector<float> rampWeights(std::int64_t h0, std::int64_t h1, std::int64_t n,
                               std::int64_t overlap) {
    std::vector<float> w(static_cast<std::size_t>(h1 - h0), 1.0f);
    if (overlap == 0)
        return w;
    const double span = 2.0 * static_cast<double>(overlap);
    for (std::int64_t p = h0; p < h1; ++p) {
        double v = 1.0;
        if (h0 > 0)
            v = std::min(v, (static_cast<double>(p - h0) + 0.5) / span);
        if (h1 < n)
            v = std::min(v, (static_cast<double>(h1 - p) - 0.5) / span);
        w[static_cast<std::size_t>(p - h0)] = static_cast<float>(v);
    }
    return w;
}

namespace {

// Rounds to the nearest integer sample, saturating; NaN becomes 0.
template <typename T>
T fromFloat(float v) {
    if constexpr (std::is_same_v<T, float>) {
        return v;
    } else {
        if (std::isnan(v))
            return T{0};
        const auto lo = static_cast<double>(std::numeric_limits<T>::min());
        const auto hi = static_cast<double>(std::numeric_limits<T>::max());
        return static_cast<T>(std::clamp(std::nearbyint(static_cast<double>(v)), lo, hi));
    }
}

}  // namespace

void blendInto(const std::vector<Tile>& tiles, const std::vector<ConstImageView>& results,
               Size image, std::int64_t overlap, const Rect& core, ImageView out, int threads) {
    const int channels = out.channels();
    const auto width = static_cast<std::size_t>(core.width);
    std::vector<std::vector<float>> wx(tiles.size()), wy(tiles.size());
    for (std::size_t i = 0; i < tiles.size(); ++i) {
        wx[i] = rampWeights(tiles[i].halo.x, tiles[i].halo.right(), image.width, overlap);
        wy[i] = rampWeights(tiles[i].halo.y, tiles[i].halo.bottom(), image.height, overlap);
    }
    dispatch(out.dtype(), [&](auto sample) {
        using T = decltype(sample);
        // Per-thread rows, allocated here: an exception must not leave the parallel region.
        const auto threadCount = static_cast<std::size_t>(threads);
        std::vector<std::vector<float>> sums(
            threadCount, std::vector<float>(width * static_cast<std::size_t>(channels)));
        std::vector<std::vector<float>> weights(threadCount, std::vector<float>(width));
#pragma omp parallel num_threads(threads)
        {
            std::vector<float>& sum = sums[static_cast<std::size_t>(omp_get_thread_num())];
            std::vector<float>& weight = weights[static_cast<std::size_t>(omp_get_thread_num())];
#pragma omp for schedule(dynamic, 16)
            for (std::int64_t y = core.y; y < core.bottom(); ++y) {
                std::fill(sum.begin(), sum.end(), 0.0f);
                std::fill(weight.begin(), weight.end(), 0.0f);
                for (std::size_t i = 0; i < tiles.size(); ++i) {
                    const Rect& halo = tiles[i].halo;
                    if (y < halo.y || y >= halo.bottom())
                        continue;
                    const std::int64_t x0 = std::max(core.x, halo.x);
                    const std::int64_t x1 = std::min(core.right(), halo.right());
                    const float rowWeight = wy[i][static_cast<std::size_t>(y - halo.y)];
                    const ConstImageView result = results[i];
                    for (std::int64_t x = x0; x < x1; ++x) {
                        const auto k = static_cast<std::size_t>(x - core.x);
                        const float w = rowWeight * wx[i][static_cast<std::size_t>(x - halo.x)];
                        weight[k] += w;
                        for (int c = 0; c < channels; ++c) {
                            const T v = result.row<T>(c, y - halo.y)[x - halo.x];
                            sum[static_cast<std::size_t>(c) * width + k] +=
                                w * static_cast<float>(v);
                        }
                    }
                }
                for (int c = 0; c < channels; ++c) {
                    T* dst = out.row<T>(c, y - core.y);
                    const float* s = sum.data() + static_cast<std::size_t>(c) * width;
                    for (std::size_t k = 0; k < width; ++k)
                        dst[k] = fromFloat<T>(s[k] / weight[k]);
                }
            }
        }
    });
}

}  // namespace tileflow::detail
