#include "tileflow/plugin/display_mapping.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace tileflow::plugin {

namespace {

template <typename T>
DisplayRange fullRange() {
    return {static_cast<double>(std::numeric_limits<T>::lowest()),
            static_cast<double>(std::numeric_limits<T>::max())};
}

// Writes channel `c` of `pixels` into every `step`-th byte of each row of `image`, from
// byte `offset` on.
template <typename T>
void mapChannel(ConstImageView pixels, int c, DisplayRange range, QImage& image, int offset,
                int step) {
    const double scale = range.high > range.low ? 255.0 / (range.high - range.low) : 0;
    for (int y = 0; y < image.height(); ++y) {
        const T* src = pixels.row<T>(c, y);
        uchar* dst = image.scanLine(y) + offset;
        for (int x = 0; x < image.width(); ++x, dst += step) {
            const auto v = static_cast<double>(src[x]);
            double level = scale > 0 ? (v - range.low) * scale : (v >= range.high ? 255 : 0);
            if (std::isnan(level))
                level = 0;
            // NOLINTNEXTLINE(bugprone-incorrect-roundings): clamped first, so never negative
            *dst = static_cast<uchar>(std::clamp(level, 0.0, 255.0) + 0.5);
        }
    }
}

void mapChannel(ConstImageView pixels, int c, DisplayRange range, QImage& image, int offset,
                int step) {
    switch (pixels.dtype()) {
        case DType::U8:
            return mapChannel<std::uint8_t>(pixels, c, range, image, offset, step);
        case DType::I8:
            return mapChannel<std::int8_t>(pixels, c, range, image, offset, step);
        case DType::U16:
            return mapChannel<std::uint16_t>(pixels, c, range, image, offset, step);
        case DType::I16:
            return mapChannel<std::int16_t>(pixels, c, range, image, offset, step);
        case DType::U32:
            return mapChannel<std::uint32_t>(pixels, c, range, image, offset, step);
        case DType::F32:
            return mapChannel<float>(pixels, c, range, image, offset, step);
    }
}

}  // namespace

DisplayRange DisplayMapping::defaultRange(DType dtype) {
    switch (dtype) {
        case DType::U8:
            return fullRange<std::uint8_t>();
        case DType::I8:
            return fullRange<std::int8_t>();
        case DType::U16:
            return fullRange<std::uint16_t>();
        case DType::I16:
            return fullRange<std::int16_t>();
        case DType::U32:
            return fullRange<std::uint32_t>();
        case DType::F32:
            break;
    }
    return {0, 1};
}

DisplayRange DisplayMapping::range(int channel, DType dtype) const {
    const auto it = ranges_.find(channel);
    return it != ranges_.end() ? it->second : defaultRange(dtype);
}

QImage DisplayMapping::toImage(ConstImageView pixels) const {
    if (pixels.empty())
        return {};
    const int width = static_cast<int>(pixels.width());
    const int height = static_cast<int>(pixels.height());
    const bool rgb = pixels.channels() == 3;
    QImage image(width, height, rgb ? QImage::Format_RGB888 : QImage::Format_Grayscale8);
    const int colours = rgb ? 3 : 1;
    for (int c = 0; c < colours; ++c)
        mapChannel(pixels, c, range(c, pixels.dtype()), image, c, colours);
    return image;
}

}  // namespace tileflow::plugin
