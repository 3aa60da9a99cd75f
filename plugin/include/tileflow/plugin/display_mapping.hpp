/// @file
/// From result pixels to a QImage a viewer can show.
///
/// Channels: an image of exactly 3 channels becomes Format_RGB888 (channels 0, 1, 2 as red,
/// green, blue); any other channel count becomes Format_Grayscale8 from channel 0. Each
/// channel's display range [low, high] maps linearly onto 0..255; values outside are clamped,
/// NaN shows as 0, and a range with high <= low shows everything at or above high as 255.
/// A channel without a range of its own uses its dtype's full range: u8 0..255, i8 -128..127,
/// u16 0..65535, i16 -32768..32767, u32 0..4294967295, f32 0..1.
///
/// Thread-safety: a plain value; toImage() may run on any thread (QImage is not tied to the
/// GUI thread, unlike QPixmap). Errors: none; an empty view gives a null QImage.
#pragma once

#include <QImage>
#include <map>

#include "tileflow/image.hpp"

namespace tileflow::plugin {

/// The sample values shown as 0 and 255.
struct DisplayRange {
    double low = 0;   ///< shown as 0
    double high = 1;  ///< shown as 255
    /// Equal when both ends are.
    friend bool operator==(const DisplayRange&, const DisplayRange&) = default;
};

/// Per-channel display ranges, and the conversion of pixels to a QImage with them.
class DisplayMapping {
public:
    /// The dtype's full range (see the file description).
    static DisplayRange defaultRange(DType dtype);

    /// Shows `channel` with `range` from now on.
    void setRange(int channel, DisplayRange range) { ranges_[channel] = range; }
    /// The range set for `channel`, or the default for `dtype`.
    DisplayRange range(int channel, DType dtype) const;

    /// The QImage of `pixels`: RGB888 for 3 channels, otherwise Grayscale8 of channel 0.
    QImage toImage(ConstImageView pixels) const;

private:
    std::map<int, DisplayRange> ranges_;
};

}  // namespace tileflow::plugin
