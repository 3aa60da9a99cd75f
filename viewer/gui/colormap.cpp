#include "gui/colormap.hpp"

#include <array>
#include <cmath>
#include <span>

namespace tileflow::gui {

namespace {

using Point = std::array<double, 3>;  // r, g, b in 0..1, evenly spaced over 0..255

// Control points sampled from matplotlib's maps, evenly spaced from 0 to 1.
constexpr Point kInferno[] = {{0.001, 0.000, 0.014}, {0.122, 0.047, 0.282}, {0.335, 0.060, 0.429},
                              {0.533, 0.134, 0.416}, {0.729, 0.212, 0.333}, {0.890, 0.348, 0.200},
                              {0.976, 0.553, 0.039}, {0.973, 0.788, 0.198}, {0.988, 0.998, 0.645}};
constexpr Point kViridis[] = {{0.267, 0.005, 0.329}, {0.283, 0.141, 0.458}, {0.254, 0.265, 0.530},
                              {0.207, 0.372, 0.553}, {0.164, 0.471, 0.558}, {0.128, 0.567, 0.551},
                              {0.135, 0.659, 0.518}, {0.267, 0.749, 0.441}, {0.478, 0.821, 0.318},
                              {0.741, 0.873, 0.150}, {0.993, 0.906, 0.144}};

QList<QRgb> interpolated(std::span<const Point> points) {
    QList<QRgb> table(256);
    const auto segments = static_cast<double>(points.size() - 1);
    for (int v = 0; v < 256; ++v) {
        const double at = v / 255.0 * segments;
        const auto i = std::min(static_cast<std::size_t>(at), points.size() - 2);
        const double t = at - static_cast<double>(i);
        int rgb[3];
        for (std::size_t c = 0; c < 3; ++c) {
            const double value = points[i][c] * (1 - t) + points[i + 1][c] * t;
            rgb[c] = static_cast<int>(std::lround(value * 255));
        }
        table[v] = qRgb(rgb[0], rgb[1], rgb[2]);
    }
    return table;
}

QList<QRgb> ramp(bool red, bool green, bool blue) {
    QList<QRgb> table(256);
    for (int v = 0; v < 256; ++v)
        table[v] = qRgb(red ? v : 0, green ? v : 0, blue ? v : 0);
    return table;
}

}  // namespace

QString colormapName(Colormap colormap) {
    switch (colormap) {
        case Colormap::Grey:
            return QStringLiteral("Grey");
        case Colormap::Inferno:
            return QStringLiteral("Inferno");
        case Colormap::Viridis:
            return QStringLiteral("Viridis");
        case Colormap::Green:
            return QStringLiteral("Green");
        case Colormap::Magenta:
            return QStringLiteral("Magenta");
    }
    return {};
}

QList<QRgb> colormapTable(Colormap colormap) {
    switch (colormap) {
        case Colormap::Grey:
            return ramp(true, true, true);
        case Colormap::Inferno:
            return interpolated(kInferno);
        case Colormap::Viridis:
            return interpolated(kViridis);
        case Colormap::Green:
            return ramp(false, true, false);
        case Colormap::Magenta:
            return ramp(true, false, true);
    }
    return ramp(true, true, true);
}

}  // namespace tileflow::gui
