#include "gui/coverage_map.hpp"

#include <algorithm>
#include <cmath>

namespace tileflow::gui {

void CoverageMap::reset(QSize imageSize) {
    imageSize_ = imageSize;
    if (imageSize.isEmpty()) {
        mask_ = {};
        return;
    }
    const int longSide = std::max(imageSize.width(), imageSize.height());
    scale_ = std::min(1.0, static_cast<double>(kLongSide) / longSide);
    mask_ = QImage(static_cast<int>(std::ceil(imageSize.width() * scale_)),
                   static_cast<int>(std::ceil(imageSize.height() * scale_)),
                   QImage::Format_ARGB32_Premultiplied);
    clear();
}

void CoverageMap::clear() {
    mask_.fill(Qt::transparent);
}

void CoverageMap::mark(const QRect& level0Rect) {
    const QRect rect = level0Rect.intersected(QRect(QPoint(0, 0), imageSize_));
    if (rect.isEmpty() || mask_.isNull())
        return;
    // The mask pixels whose area overlaps [left, left + width) x [top, top + height).
    const int x0 = static_cast<int>(std::floor(rect.x() * scale_));
    const int y0 = static_cast<int>(std::floor(rect.y() * scale_));
    const int x1 =
        std::min(mask_.width(), static_cast<int>(std::ceil((rect.x() + rect.width()) * scale_)));
    const int y1 =
        std::min(mask_.height(), static_cast<int>(std::ceil((rect.y() + rect.height()) * scale_)));
    const QRgb tint = qPremultiply(kTint.rgba());
    for (int y = y0; y < y1; ++y)
        std::fill(reinterpret_cast<QRgb*>(mask_.scanLine(y)) + x0,
                  reinterpret_cast<QRgb*>(mask_.scanLine(y)) + x1, tint);
}

bool CoverageMap::covered(int x, int y) const {
    return qAlpha(mask_.pixel(x, y)) != 0;
}

}  // namespace tileflow::gui
