// sobel: gradient magnitude per channel, f32 out.
//
// Defined as hypot(sobel(x, axis=1), sobel(x, axis=0)) with scipy.ndimage's "mirror"
// boundary: the derivative [-1, 0, 1] along one axis, smoothed by [1, 2, 1] along the other.
#include <cmath>
#include <vector>

#include "border.hpp"
#include "float_planes.hpp"
#include "kernels.hpp"

namespace tileflow::kernels {

namespace {

// One output row from the input rows above (t), at (m) and below (b). Reads t, m and b at
// [-1, n]; callers pass pointers for which that is valid.
__attribute__((target_clones("avx2", "default"))) void sobelRow(const float* t, const float* m,
                                                                const float* b, float* out,
                                                                std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i) {
        const float gx =
            (t[i + 1] - t[i - 1]) + 2.0f * (m[i + 1] - m[i - 1]) + (b[i + 1] - b[i - 1]);
        const float gy = (b[i - 1] - t[i - 1]) + 2.0f * (b[i] - t[i]) + (b[i + 1] - t[i + 1]);
        out[i] = std::sqrt(gx * gx + gy * gy);
    }
}

// The same for one column x of a row of width w, mirroring at the row ends.
float sobelAt(const float* t, const float* m, const float* b, std::int64_t x, std::int64_t w) {
    const std::int64_t l = mirrorIndex(x - 1, w), r = mirrorIndex(x + 1, w);
    const float gx = (t[r] - t[l]) + 2.0f * (m[r] - m[l]) + (b[r] - b[l]);
    const float gy = (b[l] - t[l]) + 2.0f * (b[x] - t[x]) + (b[r] - t[r]);
    return std::sqrt(gx * gx + gy * gy);
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
                if (inner1 > inner0)
                    sobelRow(t + inner0, m + inner0, b + inner0, o + inner0, inner1 - inner0);
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
