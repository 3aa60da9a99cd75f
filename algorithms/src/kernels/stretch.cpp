// stretch: global percentile contrast stretch per channel to [0, 1], f32 out.
//
// For each channel c: low_c = numpy.nanpercentile(x_c, low) and high_c =
// numpy.nanpercentile(x_c, high) over the whole image (default "linear" method; the same as
// numpy.percentile for images without NaN), then
// out = clip((x - low_c) / (high_c - low_c), 0, 1), computed in double precision and rounded
// to f32. A channel whose high_c equals low_c (constant, or no finite sample) maps to 0; NaN
// samples stay NaN. Percentiles are exact for integer dtypes of at most 16 bits and within
// one of 65536 bins over the channel's [min, max] for f32 and u32 (see histogram.hpp).
#include <algorithm>
#include <sstream>

#include "../dispatch.hpp"
#include "histogram.hpp"
#include "kernels.hpp"
#include "tileflow/error.hpp"

namespace tileflow::kernels {

namespace {

constexpr std::int64_t kBins = 65536;

class Stretch final : public Operation {
public:
    Stretch(double low, double high) : low_(low), high_(high) {}

    std::string_view id() const override { return "stretch"; }
    int radius() const override { return 0; }
    ImageInfo outputInfo(const ImageInfo& input) const override {
        return {input.size, input.channels, DType::F32};
    }

    int statisticsPasses(const ImageInfo& input) const override {
        return channelStatisticsPasses(input);
    }
    std::unique_ptr<Statistics> newStatistics(int pass, const ImageInfo& input,
                                              const StatisticsList& earlier) const override {
        return newChannelStatistics(pass, input, earlier, kBins);
    }

    void process(ConstImageView in, const Rect& inRect, ImageView out, const Rect& outRect,
                 const StatisticsList& statistics) const override {
        const std::vector<double>& limits = limitsOf(statistics);
        const Rect r = outRect.relativeTo(inRect);
        detail::dispatch(in.dtype(), [&](auto sample) {
            using T = decltype(sample);
            for (int c = 0; c < in.channels(); ++c) {
                const double lo = limits[2 * static_cast<std::size_t>(c)];
                const double range = limits[2 * static_cast<std::size_t>(c) + 1] - lo;
                for (std::int64_t y = 0; y < r.height; ++y) {
                    const T* src = in.row<T>(c, r.y + y) + r.x;
                    float* dst = out.row<float>(c, y);
                    if (!(range > 0)) {
                        std::fill(dst, dst + r.width, 0.0f);
                        continue;
                    }
                    for (std::int64_t x = 0; x < r.width; ++x) {
                        const double v = (static_cast<double>(src[x]) - lo) / range;
                        dst[x] = static_cast<float>(std::clamp(v, 0.0, 1.0));
                    }
                }
            }
        });
    }

    std::vector<Measurement> measurements(const StatisticsList& statistics) const override {
        const std::vector<double>& limits = limitsOf(statistics);
        std::vector<Measurement> m;
        for (std::size_t c = 0; c < limits.size() / 2; ++c) {
            m.push_back({"low_c" + std::to_string(c), limits[2 * c]});
            m.push_back({"high_c" + std::to_string(c), limits[2 * c + 1]});
        }
        return m;
    }

private:
    // low_c0, high_c0, low_c1, high_c1...
    const std::vector<double>& limitsOf(const StatisticsList& statistics) const {
        const auto& h = channelHistograms(statistics);
        return h.derived([this](const HistogramStatistics& s) {
            std::vector<double> limits;
            for (int c = 0; c < s.channels(); ++c) {
                limits.push_back(s.histogram(c).percentile(low_));
                limits.push_back(s.histogram(c).percentile(high_));
            }
            return limits;
        });
    }

    double low_;
    double high_;
};

}  // namespace

OperationInfo describeStretch() {
    ParameterInfo low{"low", ParameterType::Real,
                      "1",   0,
                      100,   {},
                      "%",   "Percentile mapped to 0 (numpy.percentile, linear)"};
    ParameterInfo high{"high", ParameterType::Real,
                       "99",   0,
                       100,    {},
                       "%",    "Percentile mapped to 1; must be above low"};
    return {"stretch",
            "Percentile contrast stretch",
            "Global contrast stretch per channel: the low and high percentiles of the whole "
            "channel (numpy.nanpercentile, linear; exact for integer images up to 16 bits, within "
            "1/65536 of the range for f32 and u32) map to 0 and 1, values outside "
            "are clipped. Channels where both percentiles are equal become 0. Output f32, same "
            "channels. Reports low_cN and high_cN.",
            {low, high}};
}

std::shared_ptr<const Operation> createStretch(const Parameters& p) {
    const double low = p.real("low"), high = p.real("high");
    if (!(low < high)) {
        std::ostringstream s;
        s << "stretch: parameter 'low' (" << low << ") must be below 'high' (" << high << ")";
        throw InvalidArgument(s.str());
    }
    return std::make_shared<Stretch>(low, high);
}

}  // namespace tileflow::kernels
