#include "gui/view_transform.hpp"

#include <algorithm>

namespace tileflow::gui {

namespace {

double clampScale(double scale) {
    return std::clamp(scale, ViewTransform::kMinScale, ViewTransform::kMaxScale);
}

QPointF viewportCentre(const QSize& viewport) {
    return {viewport.width() / 2.0, viewport.height() / 2.0};
}

}  // namespace

QPointF ViewTransform::toScreen(const QPointF& level0) const {
    return (level0 - centre) * scale + viewportCentre(viewport);
}

QPointF ViewTransform::toLevel0(const QPointF& screen) const {
    return (screen - viewportCentre(viewport)) / scale + centre;
}

QRectF ViewTransform::toScreen(const QRectF& level0) const {
    return {toScreen(level0.topLeft()), toScreen(level0.bottomRight())};
}

QRectF ViewTransform::visibleLevel0() const {
    return {toLevel0({0, 0}), toLevel0(QPointF(viewport.width(), viewport.height()))};
}

void ViewTransform::zoomAround(const QPointF& screenPoint, double factor) {
    const QPointF anchor = toLevel0(screenPoint);
    scale = clampScale(scale * factor);
    // Solve toScreen(anchor) == screenPoint for the centre.
    centre = anchor - (screenPoint - viewportCentre(viewport)) / scale;
}

void ViewTransform::panBy(const QPointF& screenDelta) {
    centre -= screenDelta / scale;
}

void ViewTransform::fit(const QSizeF& imageSize) {
    centre = {imageSize.width() / 2, imageSize.height() / 2};
    if (imageSize.isEmpty() || viewport.isEmpty())
        return;
    scale = clampScale(
        std::min(viewport.width() / imageSize.width(), viewport.height() / imageSize.height()));
}

}  // namespace tileflow::gui
