// How the viewer shows a tile's channels: one QImage from a multichannel tile.
//
// Three u8 channels are an RGB image (a brightfield slide) and show as such, whatever the
// channel settings. Otherwise every visible channel is added in its colour after mapping its
// display range linearly onto 0..1; sums above full intensity saturate. Without settings
// (an empty ChannelDisplays) each channel takes defaultChannelDisplays(): the first
// kMaxCompositeChannels channels visible, in their fluorescence colours (channelColour():
// blue, green, red, magenta, cyan, yellow; a single channel in grey), over their dtype's
// full range (plugin::DisplayMapping::defaultRange()).
//
// Thread-safety: a pure function; runs on the loader's threads. Errors: none; an empty view
// gives a null QImage.
#pragma once

#include <QColor>
#include <QImage>
#include <vector>

#include "tileflow/image.hpp"
#include "tileflow/plugin/display_mapping.hpp"

namespace tileflow::gui {

constexpr int kMaxCompositeChannels = 6;

// How one channel is shown.
struct ChannelDisplay {
    bool visible = true;
    QColor colour;
    plugin::DisplayRange range;
    friend bool operator==(const ChannelDisplay&, const ChannelDisplay&) = default;
};
using ChannelDisplays = std::vector<ChannelDisplay>;

QColor channelColour(int channel, int channelCount);
bool isRgb(const ImageInfo& info);
ChannelDisplays defaultChannelDisplays(const ImageInfo& info);
QImage compositeChannels(ConstImageView pixels, const ChannelDisplays& displays = {});

}  // namespace tileflow::gui
