// The scale bar a view draws: a round physical length and its size on screen.
//
// chooseScaleBar() takes the source's pixel size (µm per level-0 pixel) and the view's scale
// (screen pixels per level-0 pixel) and picks the longest length of the form 1, 2 or 5 x 10^k
// µm (k any integer) that is at most kMaxScaleBarPixels long on screen; as each step of that
// series at most 2.5 times the one before, the bar is more than 80 screen pixels long. Its
// label names the length in µm below 1000 µm and in mm from there ("200 µm", "0.5 µm",
// "1 mm", "20 mm").
//
// paintScaleBar() draws the bar with its label above it, in the bottom-left corner of
// `viewport`, white on a translucent dark backing so it reads over any image.
//
// Thread-safety: pure functions (painting on the painter's thread). Errors: no bar
// (std::nullopt) when the pixel size or the scale is not positive and finite.
#pragma once

#include <QPainter>
#include <QRect>
#include <QString>
#include <optional>

namespace tileflow::gui {

inline constexpr double kMaxScaleBarPixels = 200;

struct ScaleBar {
    double micrometres = 0;
    double screenPixels = 0;
    QString label;
};

std::optional<ScaleBar> chooseScaleBar(double micronsPerPixel, double scale);
void paintScaleBar(QPainter& painter, const QRect& viewport, const ScaleBar& bar);

}  // namespace tileflow::gui
