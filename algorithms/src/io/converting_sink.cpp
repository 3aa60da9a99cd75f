#include "tileflow/converting_sink.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "../dispatch.hpp"
#include "tileflow/error.hpp"

namespace tileflow {

namespace {

std::pair<double, double> fullRange(DType type) {
    return detail::dispatch(type, [](auto sample) -> std::pair<double, double> {
        using T = decltype(sample);
        if constexpr (std::is_same_v<T, float>) {
            return {0.0, 1.0};
        } else {
            return {static_cast<double>(std::numeric_limits<T>::min()),
                    static_cast<double>(std::numeric_limits<T>::max())};
        }
    });
}

}  // namespace

ConvertingSink::ConvertingSink(Sink& target, DType dtype,
                               std::optional<std::pair<double, double>> inputRange)
    : target_(target), dtype_(dtype), range_(inputRange) {
    if (range_ && !(range_->second > range_->first)) {
        throw InvalidArgument("the input range of a dtype conversion must have high > low");
    }
}

void ConvertingSink::begin(const ImageInfo& info) {
    const auto [low, high] = range_.value_or(fullRange(info.dtype));
    std::tie(outLow_, outHigh_) = fullRange(dtype_);
    low_ = low;
    scale_ = (outHigh_ - outLow_) / (high - low);
    ImageInfo converted = info;
    converted.dtype = dtype_;
    target_.begin(converted);
}

void ConvertingSink::write(const Rect& region, ConstImageView pixels) {
    ImageInfo info = pixels.info();
    info.dtype = dtype_;
    if (buffer_.info() != info)
        buffer_ = Image(info);
    const ImageView out = buffer_.view();
    detail::dispatch(pixels.dtype(), [&](auto in) {
        using From = decltype(in);
        detail::dispatch(dtype_, [&](auto to) {
            using To = decltype(to);
            for (int c = 0; c < info.channels; ++c) {
                for (std::int64_t y = 0; y < info.size.height; ++y) {
                    const From* src = pixels.row<From>(c, y);
                    To* dst = out.row<To>(c, y);
                    for (std::int64_t x = 0; x < info.size.width; ++x) {
                        const double v = (static_cast<double>(src[x]) - low_) * scale_ + outLow_;
                        const double clipped =
                            std::isnan(v) ? outLow_ : std::clamp(v, outLow_, outHigh_);
                        if constexpr (std::is_same_v<To, float>) {
                            dst[x] = static_cast<float>(clipped);
                        } else {
                            dst[x] = static_cast<To>(std::nearbyint(clipped));
                        }
                    }
                }
            }
        });
    });
    target_.write(region, std::as_const(buffer_).view());
}

}  // namespace tileflow
