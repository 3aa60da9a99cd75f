/// @file
/// A sink that converts pixels to another dtype on their way to the sink it wraps: for
/// outputs that must be u8 (JPEG-compressed TIFF, 8-bit viewers) or smaller than the result.
///
/// Conversion: a linear map of the input range [low, high] onto the target dtype's full range
/// ([0, 1] for f32), then clipping, then rounding to nearest for integer targets; NaN becomes
/// the target's lowest value. The default input range is the source dtype's full range for
/// integers (so u16 -> u8 divides by 257) and [0, 1] for f32, which suits results such as
/// `stretch` and masks; give the range explicitly for anything else.
///
/// The wrapped sink is borrowed and must outlive this one. Thread-safety and errors are those
/// of the wrapped sink; an empty or inverted range throws tileflow::InvalidArgument.
#pragma once

#include <optional>
#include <utility>

#include "tileflow/source.hpp"

namespace tileflow {

/// Converts to `dtype` on the way to another sink; see the file description.
class ConvertingSink final : public Sink {
public:
    /// Writes to `target` (borrowed) in `dtype`, mapping `inputRange` (low, high) of the
    /// input onto the target dtype's range; without it, the input dtype's default range.
    ConvertingSink(Sink& target, DType dtype,
                   std::optional<std::pair<double, double>> inputRange = std::nullopt);

    void begin(const ImageInfo& info) override;
    void write(const Rect& region, ConstImageView pixels) override;
    void commit() override { target_.commit(); }
    void abort() noexcept override { target_.abort(); }

private:
    Sink& target_;
    DType dtype_;
    std::optional<std::pair<double, double>> range_;
    double low_ = 0, scale_ = 1, outLow_ = 0, outHigh_ = 1;
    Image buffer_;
};

}  // namespace tileflow
