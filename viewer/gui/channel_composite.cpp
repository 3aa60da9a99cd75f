#include "gui/channel_composite.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace tileflow::gui {

namespace {

constexpr std::array<QRgb, kMaxCompositeChannels> kFluorescence = {
    qRgb(0, 0, 255),   qRgb(0, 255, 0),   qRgb(255, 0, 0),
    qRgb(255, 0, 255), qRgb(0, 255, 255), qRgb(255, 255, 0)};

// Adds channel `c`, mapped through `range`, times `colour` into the float RGB planes.
template <typename T>
void addChannel(ConstImageView pixels, int c, plugin::DisplayRange range, QRgb colour,
                std::vector<float>& rgb) {
    const double span = range.high > range.low ? range.high - range.low : 1;
    const std::array<float, 3> weights = {static_cast<float>(qRed(colour)) / 255.0F,
                                          static_cast<float>(qGreen(colour)) / 255.0F,
                                          static_cast<float>(qBlue(colour)) / 255.0F};
    std::size_t i = 0;
    for (std::int64_t y = 0; y < pixels.height(); ++y) {
        const T* row = pixels.row<T>(c, y);
        for (std::int64_t x = 0; x < pixels.width(); ++x, i += 3) {
            const auto value = static_cast<double>(row[x]);
            const auto level =
                std::isnan(value)
                    ? 0.0F
                    : static_cast<float>(std::clamp((value - range.low) / span, 0.0, 1.0));
            for (std::size_t k = 0; k < 3; ++k)
                rgb[i + k] += level * weights[k];
        }
    }
}

QImage rgbImage(ConstImageView pixels) {
    QImage image(static_cast<int>(pixels.width()), static_cast<int>(pixels.height()),
                 QImage::Format_RGB32);
    for (int y = 0; y < image.height(); ++y) {
        auto* line = reinterpret_cast<QRgb*>(image.scanLine(y));
        const auto* red = pixels.row<std::uint8_t>(0, y);
        const auto* green = pixels.row<std::uint8_t>(1, y);
        const auto* blue = pixels.row<std::uint8_t>(2, y);
        for (int x = 0; x < image.width(); ++x)
            line[x] = qRgb(red[x], green[x], blue[x]);
    }
    return image;
}

}  // namespace

QColor channelColour(int channel, int channelCount) {
    if (channelCount == 1)
        return Qt::white;
    return QColor(kFluorescence[static_cast<std::size_t>(channel) % kFluorescence.size()]);
}

bool isRgb(const ImageInfo& info) {
    return info.channels == 3 && info.dtype == DType::U8;
}

ChannelDisplays defaultChannelDisplays(const ImageInfo& info) {
    ChannelDisplays displays;
    for (int c = 0; c < info.channels; ++c) {
        displays.push_back({c < kMaxCompositeChannels, channelColour(c, info.channels),
                            plugin::DisplayMapping::defaultRange(info.dtype)});
    }
    return displays;
}

QImage compositeChannels(ConstImageView pixels, const ChannelDisplays& displays) {
    if (pixels.empty())
        return {};
    if (isRgb(pixels.info()))
        return rgbImage(pixels);
    const ChannelDisplays shown =
        displays.empty() ? defaultChannelDisplays(pixels.info()) : displays;
    const auto pixelCount = static_cast<std::size_t>(pixels.width() * pixels.height());
    std::vector<float> rgb(pixelCount * 3, 0.0F);
    for (int c = 0; c < pixels.channels(); ++c) {
        const ChannelDisplay& display = shown.at(static_cast<std::size_t>(c));
        if (!display.visible)
            continue;
        visitDType(pixels.dtype(), [&](auto sample) {
            addChannel<decltype(sample)>(pixels, c, display.range, display.colour.rgb(), rgb);
        });
    }
    QImage image(static_cast<int>(pixels.width()), static_cast<int>(pixels.height()),
                 QImage::Format_RGB32);
    std::size_t i = 0;
    for (int y = 0; y < image.height(); ++y) {
        auto* line = reinterpret_cast<QRgb*>(image.scanLine(y));
        for (int x = 0; x < image.width(); ++x, i += 3) {
            const auto byte = [&](std::size_t k) {
                return static_cast<int>(std::lround(std::min(rgb[i + k], 1.0F) * 255.0F));
            };
            line[x] = qRgb(byte(0), byte(1), byte(2));
        }
    }
    return image;
}

}  // namespace tileflow::gui
