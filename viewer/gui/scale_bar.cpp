#include "gui/scale_bar.hpp"

#include <QFontMetrics>
#include <cmath>

namespace tileflow::gui {

namespace {

constexpr int kMargin = 12;
constexpr int kBarHeight = 4;
constexpr int kPadding = 4;

QString lengthLabel(double micrometres) {
    if (micrometres >= 1000)
        return QStringLiteral("%1 mm").arg(micrometres / 1000, 0, 'g', 12);
    return QStringLiteral("%1 µm").arg(micrometres, 0, 'g', 12);
}

}  // namespace

std::optional<ScaleBar> chooseScaleBar(double micronsPerPixel, double scale) {
    if (!(micronsPerPixel > 0) || !(scale > 0) || !std::isfinite(micronsPerPixel) ||
        !std::isfinite(scale))
        return std::nullopt;
    const double pixelsPerMicrometre = scale / micronsPerPixel;
    const double longest = kMaxScaleBarPixels / pixelsPerMicrometre * (1 + 1e-9);
    const double decade = std::pow(10.0, std::floor(std::log10(longest)));
    double length = decade;
    for (const double mantissa : {5.0, 2.0}) {
        if (mantissa * decade <= longest) {
            length = mantissa * decade;
            break;
        }
    }
    return ScaleBar{length, length * pixelsPerMicrometre, lengthLabel(length)};
}

void paintScaleBar(QPainter& painter, const QRect& viewport, const ScaleBar& bar) {
    const QFontMetrics metrics = painter.fontMetrics();
    const int barWidth = static_cast<int>(std::lround(bar.screenPixels));
    const int left = viewport.left() + kMargin;
    const int barTop = viewport.bottom() - kMargin - kBarHeight;
    const QRect text(left, barTop - kPadding - metrics.height(), barWidth, metrics.height());
    const QRect backing = QRect(text.topLeft(), QPoint(left + barWidth, barTop + kBarHeight))
                              .adjusted(-kPadding, -kPadding, kPadding, kPadding);
    painter.save();
    painter.fillRect(backing, QColor(0, 0, 0, 128));
    painter.fillRect(QRect(left, barTop, barWidth, kBarHeight), Qt::white);
    painter.setPen(Qt::white);
    painter.drawText(text, Qt::AlignCenter, bar.label);
    painter.restore();
}

}  // namespace tileflow::gui
