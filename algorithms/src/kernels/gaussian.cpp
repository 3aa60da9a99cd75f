// gaussian: Gaussian smoothing per channel, f32 out.
//
// Equal (to float rounding) to scipy.ndimage.gaussian_filter(x.astype(float32), sigma,
// mode="reflect", truncate=truncate): the kernel has radius int(truncate * sigma + 0.5) and
// is applied along rows and then columns.
#include <cmath>
#include <vector>

#include "border.hpp"
#include "float_planes.hpp"
#include "kernels.hpp"

namespace tileflow::kernels {

namespace {

// out[i] = sum_k w[k] * in[i + k] for k in [0, taps).
__attribute__((target_clones("avx2", "default"))) void correlateRow(const float* in,
                                                                    const float* w, int taps,
                                                                    float* out, std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i) out[i] = 0.0f;
    for (int k = 0; k < taps; ++k) {
        const float wk = w[k];
        const float* src = in + k;
        for (std::int64_t i = 0; i < n; ++i) out[i] += wk * src[i];
    }
}

// acc[i] += w * row[i]
__attribute__((target_clones("avx2", "default"))) void accumulateRow(float* acc, const float* row,
                                                                     float w, std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i) acc[i] += w * row[i];
}

class Gaussian final : public Operation {
public:
    Gaussian(double sigma, double truncate)
        : radius_(static_cast<int>(truncate * sigma + 0.5)) {
        const auto taps = static_cast<std::size_t>(2 * radius_ + 1);
        std::vector<double> phi(taps);
        double sum = 0;
        for (int k = -radius_; k <= radius_; ++k) {
            phi[static_cast<std::size_t>(k + radius_)] = std::exp(-0.5 / (sigma * sigma) * k * k);
            sum += phi[static_cast<std::size_t>(k + radius_)];
        }
        for (double v : phi) weights_.push_back(static_cast<float>(v / sum));
    }

    std::string_view id() const override { return "gaussian"; }
    int radius() const override { return radius_; }
    ImageInfo outputInfo(const ImageInfo& input) const override {
        return {input.size, input.channels, DType::F32};
    }

    void process(ConstImageView in, const Rect& inRect, ImageView out, const Rect& outRect,
                 const StatisticsList&) const override {
        thread_local std::vector<float> scratch, column, padded;
        const std::int64_t w = inRect.width, h = inRect.height, r = radius_;
        const std::int64_t x0 = outRect.x - inRect.x;
        column.resize(static_cast<std::size_t>(w));
        padded.resize(static_cast<std::size_t>(outRect.width + 2 * r));
        const int taps = static_cast<int>(weights_.size());
        for (int c = 0; c < in.channels(); ++c) {
            const FloatPlane plane(in, c, scratch);
            for (std::int64_t y = 0; y < outRect.height; ++y) {
                const std::int64_t yy = outRect.y - inRect.y + y;
                std::fill(column.begin(), column.end(), 0.0f);
                for (int k = 0; k < taps; ++k) {
                    accumulateRow(column.data(), plane.row(reflectIndex(yy - r + k, h)),
                                  weights_[static_cast<std::size_t>(k)], w);
                }
                for (std::int64_t j = 0; j < outRect.width + 2 * r; ++j) {
                    padded[static_cast<std::size_t>(j)] = column[static_cast<std::size_t>(reflectIndex(x0 - r + j, w))];
                }
                correlateRow(padded.data(), weights_.data(), taps, out.row<float>(c, y), outRect.width);
            }
        }
    }

private:
    int radius_;
    std::vector<float> weights_;
};

}  // namespace

OperationInfo describeGaussian() {
    ParameterInfo sigma{"sigma", ParameterType::Real, "2", 0.1, 64, {}, "px",
                        "Standard deviation of the Gaussian"};
    ParameterInfo truncate{"truncate", ParameterType::Real, "4", 1, 8, {}, "sigma",
                           "Kernel radius in standard deviations: radius = int(truncate * sigma + 0.5)"};
    return {"gaussian", "Gaussian smoothing",
            "Gaussian blur per channel (scipy.ndimage.gaussian_filter, reflect border). "
            "Output f32, same channels.",
            {sigma, truncate}};
}

std::shared_ptr<const Operation> createGaussian(const Parameters& p) {
    return std::make_shared<Gaussian>(p.real("sigma"), p.real("truncate"));
}

}  // namespace tileflow::kernels
