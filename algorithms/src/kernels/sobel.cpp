// sobel: gradient magnitude per channel, f32 out.
//
// Defined as hypot(sobel(x, axis=1), sobel(x, axis=0)) with scipy.ndimage's "mirror"
// boundary: the derivative [-1, 0, 1] along one axis, smoothed by [1, 2, 1] along the other.
// The arithmetic is scipy's, so that the result equals sqrt(gx * gx + gy * gy) of float32
// scipy.ndimage.sobel outputs bit for bit: derivatives in f32, their smoothing summed in double
// as 2 * centre + (after + before) and rounded once to f32 (scipy filters lines in double),
// then the magnitude in f32 as numpy computes it.
//
// Each input row's horizontal derivative is computed once, widened to double, and kept while
// the three output rows that smooth it are made; every loop is elementwise, so the AVX2 and
// the plain builds of it give the same bits.
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include "border.hpp"
#include "float_planes.hpp"
#include "kernels.hpp"

namespace tileflow::kernels {

namespace {

// dx[i] = row[i + 1] - row[i - 1], widened: the horizontal derivative of columns [0, n).
[[gnu::always_inline]] inline void horizontalDerivative(const float* row, double* dx,
                                                        std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i)
        dx[i] = static_cast<double>(row[i + 1] - row[i - 1]);
}

// dy[i] = b[i] - t[i], widened: the vertical derivative of columns [0, n).
[[gnu::always_inline]] inline void verticalDerivative(const float* t, const float* b, double* dy,
                                                      std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i)
        dy[i] = static_cast<double>(b[i] - t[i]);
}

// The magnitude of columns [0, n): dxt, dxm and dxb are the horizontal derivatives of the rows
// above, at and below, dy the vertical derivative from the column before the first on.
[[gnu::always_inline]] inline void magnitude(const double* dxt, const double* dxm,
                                             const double* dxb, const double* dy, float* out,
                                             std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i) {
        const auto gx = static_cast<float>(2.0 * dxm[i] + (dxb[i] + dxt[i]));
        const auto gy = static_cast<float>(2.0 * dy[i + 1] + (dy[i + 2] + dy[i]));
        out[i] = std::sqrt(gx * gx + gy * gy);
    }
}

__attribute__((target("avx2"))) void horizontalAvx2(const float* row, double* dx, std::int64_t n) {
    horizontalDerivative(row, dx, n);
}
__attribute__((target("avx2"))) void verticalAvx2(const float* t, const float* b, double* dy,
                                                  std::int64_t n) {
    verticalDerivative(t, b, dy, n);
}
__attribute__((target("avx2"))) void magnitudeAvx2(const double* dxt, const double* dxm,
                                                   const double* dxb, const double* dy, float* out,
                                                   std::int64_t n) {
    magnitude(dxt, dxm, dxb, dy, out, n);
}

// The row loops for this processor: AVX2 where it has it.
struct RowLoops {
    void (*horizontal)(const float*, double*, std::int64_t);
    void (*vertical)(const float*, const float*, double*, std::int64_t);
    void (*magnitude)(const double*, const double*, const double*, const double*, float*,
                      std::int64_t);
};

const RowLoops& rowLoops() {
    static const RowLoops loops =
        __builtin_cpu_supports("avx2") != 0
            ? RowLoops{horizontalAvx2, verticalAvx2, magnitudeAvx2}
            : RowLoops{horizontalDerivative, verticalDerivative, magnitude};
    return loops;
}

// Columns [x0, x0 + n) of one input row of width w, mirrored at the row's ends.
void horizontalRow(const float* row, std::int64_t w, std::int64_t x0, std::int64_t n, double* dx) {
    const std::int64_t inner0 = std::max<std::int64_t>(x0, 1);
    const std::int64_t inner1 = std::min<std::int64_t>(x0 + n, w - 1);
    for (std::int64_t x = x0; x < x0 + n; ++x) {
        if (x >= inner0 && x < inner1) {
            rowLoops().horizontal(row + x, dx + (x - x0), inner1 - x);
            x = inner1 - 1;
        } else {
            dx[x - x0] =
                static_cast<double>(row[mirrorIndex(x + 1, w)] - row[mirrorIndex(x - 1, w)]);
        }
    }
}

// The vertical derivative of columns [x0 - 1, x0 + n + 1), mirrored at the row's ends.
void verticalRow(const float* t, const float* b, std::int64_t w, std::int64_t x0, std::int64_t n,
                 double* dy) {
    const std::int64_t first = std::max<std::int64_t>(x0 - 1, 0);
    const std::int64_t last = std::min<std::int64_t>(x0 + n + 1, w);
    rowLoops().vertical(t + first, b + first, dy + (first - (x0 - 1)), last - first);
    for (std::int64_t x = x0 - 1; x < first; ++x)
        dy[x - (x0 - 1)] = static_cast<double>(b[mirrorIndex(x, w)] - t[mirrorIndex(x, w)]);
    for (std::int64_t x = last; x < x0 + n + 1; ++x)
        dy[x - (x0 - 1)] = static_cast<double>(b[mirrorIndex(x, w)] - t[mirrorIndex(x, w)]);
}

// The horizontal derivatives of the (at most three) input rows the current output row needs.
class DerivativeRows {
public:
    DerivativeRows(std::vector<double>& storage, std::int64_t n) : n_(n) {
        storage.resize(static_cast<std::size_t>(3 * n));
        base_ = storage.data();
    }

    // Row `r` of `plane` (width w), columns [x0, x0 + n); `keep` are rows still needed.
    const double* row(const FloatPlane& plane, std::int64_t r, std::int64_t w, std::int64_t x0,
                      std::array<std::int64_t, 3> keep) {
        std::size_t slot = 0;
        while (slot < 3 && rows_[slot] != r)
            ++slot;
        if (slot == 3) {
            slot = 0;
            while (rows_[slot] == keep[0] || rows_[slot] == keep[1] || rows_[slot] == keep[2])
                ++slot;
            rows_[slot] = r;
            horizontalRow(plane.row(r), w, x0, n_, slotData(slot));
        }
        return slotData(slot);
    }

private:
    double* slotData(std::size_t slot) const {
        return base_ + static_cast<std::int64_t>(slot) * n_;
    }

    std::int64_t n_;
    double* base_ = nullptr;
    std::array<std::int64_t, 3> rows_{-1, -1, -1};  // the input row each slot holds
};

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
        thread_local std::vector<double> rows, vertical;
        const std::int64_t w = inRect.width, h = inRect.height;
        const std::int64_t x0 = outRect.x - inRect.x, n = outRect.width;
        vertical.resize(static_cast<std::size_t>(n + 2));
        for (int c = 0; c < in.channels(); ++c) {
            const FloatPlane plane(in, c, scratch);
            DerivativeRows derivatives(rows, n);
            for (std::int64_t y = 0; y < outRect.height; ++y) {
                const std::int64_t m = outRect.y - inRect.y + y;
                const std::int64_t t = mirrorIndex(m - 1, h), b = mirrorIndex(m + 1, h);
                const std::array<std::int64_t, 3> needed{t, m, b};
                const double* dxt = derivatives.row(plane, t, w, x0, needed);
                const double* dxm = derivatives.row(plane, m, w, x0, needed);
                const double* dxb = derivatives.row(plane, b, w, x0, needed);
                verticalRow(plane.row(t), plane.row(b), w, x0, n, vertical.data());
                rowLoops().magnitude(dxt, dxm, dxb, vertical.data(), out.row<float>(c, y), n);
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
