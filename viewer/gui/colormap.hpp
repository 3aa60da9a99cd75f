// Colormaps for one-channel result tiles: 256-entry colour tables, index = sample byte.
//
// Grey maps v to (v, v, v), Green to (0, v, 0), Magenta to (v, 0, v); Inferno and Viridis
// interpolate (linearly, in RGB) a few control points of matplotlib's maps of those names,
// close to them but not their exact tables. A one-channel tile (QImage::Format_Grayscale8)
// is drawn through a table by viewing its bytes as Format_Indexed8 (no copy).
//
// Threads: pure functions, any thread. Errors: none.
#pragma once

#include <QList>
#include <QRgb>
#include <QString>

namespace tileflow::gui {

enum class Colormap { Grey, Inferno, Viridis, Green, Magenta };
inline constexpr Colormap kColormaps[] = {Colormap::Grey, Colormap::Inferno, Colormap::Viridis,
                                          Colormap::Green, Colormap::Magenta};

QString colormapName(Colormap colormap);
// 256 opaque colours.
QList<QRgb> colormapTable(Colormap colormap);

}  // namespace tileflow::gui
