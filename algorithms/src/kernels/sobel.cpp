// sobel: gradient magnitude per channel, f32 out.
//
// Defined as hypot(sobel(x, axis=1), sobel(x, axis=0)) with scipy.ndimage's "mirror"
// boundary: the derivative [-1, 0, 1] along one axis, smoothed by [1, 2, 1] along the other.
// The arithmetic is scipy's, so that the result equals
// sqrt(gx * gx + gy * gy) of float32 scipy.ndimage.sobel outputs bit for bit: derivatives in
// f32, their smoothing summed in double as 2 * centre + (after + before) and rounded once to f32
// (scipy filters lines in double), then the magnitude in f32 as numpy computes it.
#include <immintrin.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "border.hpp"
#include "float_planes.hpp"
#include "kernels.hpp"

namespace tileflow::kernels {

namespace {

// The [1, 2, 1] smoothing of three derivatives, as scipy sums it.
inline float smooth(float before, float centre, float after) {
    return static_cast<float>(2.0 * static_cast<double>(centre) +
                              (static_cast<double>(after) + static_cast<double>(before)));
}

// One output pixel from the input rows above (t), at (m) and below (b), with l and r the
// columns left and right of x. Every path below computes exactly this, in this order, so a
// pixel gets the same bits whichever path (and so whichever tile) computes it.
inline float sobelPixel(const float* t, const float* m, const float* b, std::int64_t l,
                        std::int64_t x, std::int64_t r) {
    const float gx = smooth(t[r] - t[l], m[r] - m[l], b[r] - b[l]);
    const float gy = smooth(b[l] - t[l], b[x] - t[x], b[r] - t[r]);
    return std::sqrt(gx * gx + gy * gy);
}

// One output row; reads t, m and b at [-1, n].
void sobelRowScalar(const float* t, const float* m, const float* b, float* out, std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i)
        out[i] = sobelPixel(t, m, b, i - 1, i, i + 1);
}

// smooth() on four lanes.
__attribute__((target("avx2"))) __m128 smooth4(__m128 before, __m128 centre, __m128 after) {
    const __m256d sum =
        _mm256_add_pd(_mm256_mul_pd(_mm256_set1_pd(2.0), _mm256_cvtps_pd(centre)),
                      _mm256_add_pd(_mm256_cvtps_pd(after), _mm256_cvtps_pd(before)));
    return _mm256_cvtpd_ps(sum);
}

// smooth() on eight lanes.
__attribute__((target("avx2"))) __m256 smooth8(__m256 before, __m256 centre, __m256 after) {
    const __m128 low = smooth4(_mm256_castps256_ps128(before), _mm256_castps256_ps128(centre),
                               _mm256_castps256_ps128(after));
    const __m128 high = smooth4(_mm256_extractf128_ps(before, 1), _mm256_extractf128_ps(centre, 1),
                                _mm256_extractf128_ps(after, 1));
    return _mm256_set_m128(high, low);
}

// The same with AVX2, prefetching `ahead` (the input row needed two rows from now).
__attribute__((target("avx2"))) void sobelRowAvx2(const float* t, const float* m, const float* b,
                                                  const float* ahead, float* out, std::int64_t n) {
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        _mm_prefetch(reinterpret_cast<const char*>(ahead + i), _MM_HINT_T0);
        const __m256 tl = _mm256_loadu_ps(t + i - 1), tc = _mm256_loadu_ps(t + i);
        const __m256 tr = _mm256_loadu_ps(t + i + 1);
        const __m256 ml = _mm256_loadu_ps(m + i - 1), mr = _mm256_loadu_ps(m + i + 1);
        const __m256 bl = _mm256_loadu_ps(b + i - 1), bc = _mm256_loadu_ps(b + i);
        const __m256 br = _mm256_loadu_ps(b + i + 1);
        const __m256 gx =
            smooth8(_mm256_sub_ps(tr, tl), _mm256_sub_ps(mr, ml), _mm256_sub_ps(br, bl));
        const __m256 gy =
            smooth8(_mm256_sub_ps(bl, tl), _mm256_sub_ps(bc, tc), _mm256_sub_ps(br, tr));
        const __m256 magnitude =
            _mm256_sqrt_ps(_mm256_add_ps(_mm256_mul_ps(gx, gx), _mm256_mul_ps(gy, gy)));
        _mm256_storeu_ps(out + i, magnitude);
    }
    for (; i < n; ++i)
        out[i] = sobelPixel(t, m, b, i - 1, i, i + 1);
}

void sobelRow(const float* t, const float* m, const float* b, const float* ahead, float* out,
              std::int64_t n) {
    static const bool avx2 = __builtin_cpu_supports("avx2") != 0;
    if (avx2) {
        sobelRowAvx2(t, m, b, ahead, out, n);
    } else {
        sobelRowScalar(t, m, b, out, n);
    }
}

// One column x of a row of width w, mirroring at the row ends.
float sobelAt(const float* t, const float* m, const float* b, std::int64_t x, std::int64_t w) {
    return sobelPixel(t, m, b, mirrorIndex(x - 1, w), x, mirrorIndex(x + 1, w));
}

class Sobel final : public Operation {
public:
    std::string_view id() const override { return "sobel"; }
    int radius() const override { return 1; }
    ImageInfo outputInfo(const ImageInfo& input) const override {
        return {input.size, input.channels, DType::F32};
    }

    void process(ConstImageView in, const Rect& inRect, ImageView out, const Rect& outRect,
                 const StatisticsList&) const override {
        thread_local std::vector<float> scratch;
        const std::int64_t w = inRect.width, h = inRect.height;
        const std::int64_t x0 = outRect.x - inRect.x, x1 = x0 + outRect.width;
        // Columns whose neighbours lie inside the input run through the vectorised row.
        const std::int64_t inner0 = std::max<std::int64_t>(x0, 1);
        const std::int64_t inner1 = std::min<std::int64_t>(x1, w - 1);
        for (int c = 0; c < in.channels(); ++c) {
            const FloatPlane plane(in, c, scratch);
            for (std::int64_t y = 0; y < outRect.height; ++y) {
                const std::int64_t yy = outRect.y - inRect.y + y;
                const float* t = plane.row(mirrorIndex(yy - 1, h));
                const float* m = plane.row(yy);
                const float* b = plane.row(mirrorIndex(yy + 1, h));
                float* o = out.row<float>(c, y) - x0;
                for (std::int64_t x = x0; x < std::min(inner0, x1); ++x)
                    o[x] = sobelAt(t, m, b, x, w);
                // Tile rows are too short for the hardware prefetcher to ramp up on: fetch
                // the input row needed two rows from now while this one is computed.
                const float* ahead = plane.row(mirrorIndex(yy + 3, h));
                if (inner1 > inner0)
                    sobelRow(t + inner0, m + inner0, b + inner0, ahead + inner0, o + inner0,
                             inner1 - inner0);
                for (std::int64_t x = std::max(inner1, inner0); x < x1; ++x)
                    o[x] = sobelAt(t, m, b, x, w);
            }
        }
    }
};

}  // namespace

OperationInfo describeSobel() {
    return {"sobel",
            "Sobel gradient magnitude",
            "Edge strength per channel: hypot of the horizontal and vertical Sobel derivatives "
            "(scipy.ndimage.sobel, mirror border). Output f32, same channels.",
            {}};
}

std::shared_ptr<const Operation> createSobel(const Parameters&) {
    return std::make_shared<Sobel>();
}

}  // namespace tileflow::kernels
