// gaussian: Gaussian smoothing per channel, f32 out.
//
// Equal (to float rounding) to scipy.ndimage.gaussian_filter(x.astype(float32), sigma,
// mode="reflect", truncate=truncate); see smoothing.hpp.
#include "kernels.hpp"
#include "smoothing.hpp"

namespace tileflow::kernels {

namespace {

class Gaussian final : public Operation {
public:
    Gaussian(double sigma, double truncate) : smoother_(sigma, truncate) {}

    std::string_view id() const override { return "gaussian"; }
    int radius() const override { return smoother_.radius(); }
    ImageInfo outputInfo(const ImageInfo& input) const override {
        return {input.size, input.channels, DType::F32};
    }

    void process(ConstImageView in, const Rect& inRect, ImageView out, const Rect& outRect,
                 const StatisticsList&) const override {
        const std::int64_t stride = out.rowStride() / static_cast<std::int64_t>(sizeof(float));
        for (int c = 0; c < in.channels(); ++c) {
            smoother_.smooth(in, c, outRect.relativeTo(inRect), out.row<float>(c, 0), stride);
        }
    }

private:
    GaussianSmoother smoother_;
};

}  // namespace

OperationInfo describeGaussian() {
    ParameterInfo sigma{
        "sigma", ParameterType::Real, "2", 0.1, 64, {}, "px", "Standard deviation of the Gaussian"};
    ParameterInfo truncate{
        "truncate", ParameterType::Real,
        "4",        1,
        8,          {},
        "sigma",    "Kernel radius in standard deviations: radius = int(truncate * sigma + 0.5)"};
    return {"gaussian",
            "Gaussian smoothing",
            "Gaussian blur per channel (scipy.ndimage.gaussian_filter, reflect border). "
            "Output f32, same channels.",
            {sigma, truncate}};
}

std::shared_ptr<const Operation> createGaussian(const Parameters& p) {
    return std::make_shared<Gaussian>(p.real("sigma"), p.real("truncate"));
}

}  // namespace tileflow::kernels
