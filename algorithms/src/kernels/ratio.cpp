// ratio: normalised difference (a - b) / (a + b) of two channels, f32 out, one channel.
//
// With the defaults a = 1, b = 0 and bands ordered [red, nir] this is the NDVI,
// (NIR - Red) / (NIR + Red). Computed in double precision and rounded to f32; 0 where
// a + b == 0; NaN samples give NaN. In [-1, 1] for non-negative inputs (signed inputs can
// leave it). Pointwise: radius 0.
#include <utility>

#include "../dispatch.hpp"
#include "kernels.hpp"
#include "tileflow/error.hpp"

namespace tileflow::kernels {

namespace {

class Ratio final : public Operation {
public:
    Ratio(int a, int b) : a_(a), b_(b) {}

    std::string_view id() const override { return "ratio"; }
    int radius() const override { return 0; }
    ImageInfo outputInfo(const ImageInfo& input) const override {
        for (auto [name, c] : {std::pair{"a", a_}, std::pair{"b", b_}}) {
            if (c >= input.channels) {
                throw InvalidArgument("ratio: parameter '" + std::string(name) + "' is " +
                                      std::to_string(c) + " but the input has " +
                                      std::to_string(input.channels) +
                                      " channel(s), numbered from 0");
            }
        }
        return {input.size, 1, DType::F32};
    }

    void process(ConstImageView in, const Rect& inRect, ImageView out, const Rect& outRect,
                 const StatisticsList&) const override {
        const Rect r = outRect.relativeTo(inRect);
        detail::dispatch(in.dtype(), [&](auto sample) {
            using T = decltype(sample);
            for (std::int64_t y = 0; y < r.height; ++y) {
                const T* a = in.row<T>(a_, r.y + y) + r.x;
                const T* b = in.row<T>(b_, r.y + y) + r.x;
                float* dst = out.row<float>(0, y);
                for (std::int64_t x = 0; x < r.width; ++x) {
                    const auto va = static_cast<double>(a[x]), vb = static_cast<double>(b[x]);
                    const double sum = va + vb;
                    dst[x] = sum == 0 ? 0.0f : static_cast<float>((va - vb) / sum);
                }
            }
        });
    }

private:
    int a_;
    int b_;
};

}  // namespace

OperationInfo describeRatio() {
    ParameterInfo a{"a",  ParameterType::Integer,
                    "1",  0,
                    4095, {},
                    "",   "Channel a of (a - b) / (a + b), numbered from 0 (NDVI: near infrared)"};
    ParameterInfo b{"b",  ParameterType::Integer,
                    "0",  0,
                    4095, {},
                    "",   "Channel b of (a - b) / (a + b), numbered from 0 (NDVI: red)"};
    return {"ratio",
            "Normalised difference",
            "Normalised difference (a - b) / (a + b) of two channels, 0 where a + b = 0. The "
            "defaults a = 1, b = 0 give the NDVI (NIR - Red) / (NIR + Red) for bands ordered "
            "[red, nir]. Output f32, one channel.",
            {a, b}};
}

std::shared_ptr<const Operation> createRatio(const Parameters& p) {
    const auto a = static_cast<int>(p.integer("a")), b = static_cast<int>(p.integer("b"));
    if (a == b) {
        throw InvalidArgument(
            "ratio: parameters 'a' and 'b' must name different channels, both are " +
            std::to_string(a));
    }
    return std::make_shared<Ratio>(a, b);
}

}  // namespace tileflow::kernels
