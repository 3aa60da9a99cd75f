// How the viewer shows a tile's channels: one QImage from a multichannel tile.
//
// Three u8 channels are an RGB image (a brightfield slide) and show as such. Otherwise the
// first kMaxChannels channels are added, each in its fluorescence colour (channelColour():
// blue, green, red, magenta, cyan, yellow), after mapping its display range (the
// DisplayMapping's range for the channel, by default its dtype's) linearly onto 0..1; sums
// above full intensity saturate. A single channel shows in grey.
//
// Thread-safety: a pure function; runs on the loader's threads. Errors: none; an empty view
// gives a null QImage.
#pragma once

#include <QColor>
#include <QImage>

#include "tileflow/image.hpp"
#include "tileflow/plugin/display_mapping.hpp"

namespace tileflow::gui {

constexpr int kMaxCompositeChannels = 6;

QColor channelColour(int channel, int channelCount);
QImage compositeChannels(ConstImageView pixels, const plugin::DisplayMapping& mapping = {});

}  // namespace tileflow::gui
