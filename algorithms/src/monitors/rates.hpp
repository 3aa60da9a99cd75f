// Internal: the rates every monitor reports the same way.
#pragma once

#include "tileflow/engine.hpp"

namespace tileflow::detail {

inline double perSecond(double amount, double seconds) {
    return seconds > 0 ? amount / seconds : 0.0;
}

inline double tilesPerSecond(const RunStats& s) {
    return perSecond(static_cast<double>(s.tilesDone), s.elapsedSeconds);
}

// Megapixels of 10^6 channel-pixels per second.
inline double megapixelsPerSecond(const RunStats& s) {
    const double channelPixels = static_cast<double>(s.pixelsDone) * s.channels;
    return perSecond(channelPixels / 1e6, s.elapsedSeconds);
}

}  // namespace tileflow::detail
