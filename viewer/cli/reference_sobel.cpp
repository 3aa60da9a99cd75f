#include "reference_sobel.hpp"

#include <algorithm>
#include <cmath>

namespace tileflow::cli {

namespace {

__attribute__((target_clones("avx2", "default"))) void row(const float* t, const float* m,
                                                           const float* b, float* o,
                                                           std::int64_t n) {
    for (std::int64_t i = 1; i + 1 < n; ++i) {
        const float gx =
            (t[i + 1] - t[i - 1]) + 2.0f * (m[i + 1] - m[i - 1]) + (b[i + 1] - b[i - 1]);
        const float gy = (b[i - 1] - t[i - 1]) + 2.0f * (b[i] - t[i]) + (b[i + 1] - t[i + 1]);
        o[i] = std::sqrt(gx * gx + gy * gy);
    }
}

float edge(const float* t, const float* m, const float* b, std::int64_t l, std::int64_t x,
           std::int64_t r) {
    const float gx = (t[r] - t[l]) + 2.0f * (m[r] - m[l]) + (b[r] - b[l]);
    const float gy = (b[l] - t[l]) + 2.0f * (b[x] - t[x]) + (b[r] - t[r]);
    return std::sqrt(gx * gx + gy * gy);
}

}  // namespace

void referenceSobel(ConstImageView in, ImageView out, int threads) {
    const std::int64_t w = in.width(), h = in.height();
    const std::int64_t rows = h * in.channels();
#pragma omp parallel for schedule(static) num_threads(threads)
    for (std::int64_t k = 0; k < rows; ++k) {
        const int c = static_cast<int>(k / h);
        const std::int64_t y = k % h;
        // Mirror border, as scipy's "mirror" mode.
        const float* t = in.row<float>(c, h == 1 ? 0 : (y == 0 ? 1 : y - 1));
        const float* m = in.row<float>(c, y);
        const float* b = in.row<float>(c, h == 1 ? 0 : (y == h - 1 ? h - 2 : y + 1));
        float* o = out.row<float>(c, y);
        row(t, m, b, o, w);
        const std::int64_t last = w - 1;
        o[0] = edge(t, m, b, std::min<std::int64_t>(1, last), 0, std::min<std::int64_t>(1, last));
        if (w > 1)
            o[last] = edge(t, m, b, last - 1, last, last - 1);
    }
}

}  // namespace tileflow::cli
