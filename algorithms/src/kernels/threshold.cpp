// threshold: a u8 mask per channel, 255 where the value is above a threshold, else 0
// (skimage's convention `image > thresh`; NaN is never above).
//
// Methods:
//   fixed       the given value, in the input's units.
//   otsu        skimage.filters.threshold_otsu of the whole channel. Integer images of at most
//               16 bits use one bin per value, exactly as skimage does for integer images;
//               f32 and u32 use 256 bins over the channel's [min, max], skimage's default
//               for float images (the threshold is a bin centre; skimage's float32 bin edges
//               may round differently at the last bit). u32 channels spanning at most 256
//               values use one bin per value.
//   percentile  numpy.percentile of the whole channel (as in stretch: exact up to 16 bits,
//               within one of 65536 bins for f32 and u32).
// Measurements: "threshold_c0", "threshold_c1"... for otsu and percentile; for fixed the
// channel count is not known after the run, so a single "threshold".
#include "../dispatch.hpp"
#include "histogram.hpp"
#include "kernels.hpp"

namespace tileflow::kernels {

namespace {

enum class Method { Fixed, Otsu, Percentile };

class Threshold final : public Operation {
public:
    Threshold(Method method, double value, double percentile)
        : method_(method), value_(value), percentile_(percentile) {}

    std::string_view id() const override { return "threshold"; }
    int radius() const override { return 0; }
    ImageInfo outputInfo(const ImageInfo& input) const override {
        return {input.size, input.channels, DType::U8};
    }

    int statisticsPasses(const ImageInfo& input) const override {
        return method_ == Method::Fixed ? 0 : channelStatisticsPasses(input);
    }
    std::unique_ptr<Statistics> newStatistics(int pass, const ImageInfo& input,
                                              const StatisticsList& earlier) const override {
        return newChannelStatistics(pass, input, earlier, method_ == Method::Otsu ? 256 : 65536);
    }

    void process(ConstImageView in, const Rect& inRect, ImageView out, const Rect& outRect,
                 const StatisticsList& statistics) const override {
        const std::vector<double>* thresholds =
            method_ == Method::Fixed ? nullptr : &thresholdsOf(statistics);
        const Rect r = outRect.relativeTo(inRect);
        detail::dispatch(in.dtype(), [&](auto sample) {
            using T = decltype(sample);
            for (int c = 0; c < in.channels(); ++c) {
                const double t = thresholds ? (*thresholds)[static_cast<std::size_t>(c)] : value_;
                for (std::int64_t y = 0; y < r.height; ++y) {
                    const T* src = in.row<T>(c, r.y + y) + r.x;
                    std::uint8_t* dst = out.row<std::uint8_t>(c, y);
                    for (std::int64_t x = 0; x < r.width; ++x) {
                        dst[x] = static_cast<double>(src[x]) > t ? 255 : 0;
                    }
                }
            }
        });
    }

    std::vector<Measurement> measurements(const StatisticsList& statistics) const override {
        if (method_ == Method::Fixed)
            return {{"threshold", value_}};
        const std::vector<double>& thresholds = thresholdsOf(statistics);
        std::vector<Measurement> m;
        for (std::size_t c = 0; c < thresholds.size(); ++c) {
            m.push_back({"threshold_c" + std::to_string(c), thresholds[c]});
        }
        return m;
    }

private:
    const std::vector<double>& thresholdsOf(const StatisticsList& statistics) const {
        const auto& h = channelHistograms(statistics);
        return h.derived([this](const HistogramStatistics& s) {
            std::vector<double> thresholds;
            for (int c = 0; c < s.channels(); ++c) {
                const Histogram& histogram = s.histogram(c);
                thresholds.push_back(method_ == Method::Otsu ? histogram.otsu()
                                                             : histogram.percentile(percentile_));
            }
            return thresholds;
        });
    }

    Method method_;
    double value_;
    double percentile_;
};

}  // namespace

OperationInfo describeThreshold() {
    ParameterInfo method{"method",
                         ParameterType::Choice,
                         "otsu",
                         0,
                         0,
                         {"fixed", "otsu", "percentile"},
                         "",
                         "fixed: the given value; otsu: Otsu's threshold of the whole channel; "
                         "percentile: the given percentile of the whole channel"};
    ParameterInfo value{"value", ParameterType::Real,
                        "128",   -3.4e38,
                        3.4e38,  {},
                        "",      "Threshold for method fixed, in the input's units"};
    ParameterInfo percentile{
        "percentile", ParameterType::Real,
        "50",         0,
        100,          {},
        "%",          "Percentile for method percentile (numpy.percentile, linear)"};
    return {"threshold",
            "Threshold",
            "Binary mask per channel: 255 where the value is above the threshold (skimage's "
            "image > thresh), else 0. The threshold is fixed, Otsu's (skimage.filters."
            "threshold_otsu: one bin per value for integer images up to 16 bits, 256 bins "
            "over [min, max] for f32 and u32) or a percentile (numpy.percentile) of the whole "
            "channel. Output u8, same channels. Reports threshold_cN (fixed: threshold).",
            {method, value, percentile}};
}

std::shared_ptr<const Operation> createThreshold(const Parameters& p) {
    const std::string& name = p.choice("method");
    const Method method = name == "fixed"  ? Method::Fixed
                          : name == "otsu" ? Method::Otsu
                                           : Method::Percentile;
    return std::make_shared<Threshold>(method, p.real("value"), p.real("percentile"));
}

}  // namespace tileflow::kernels
