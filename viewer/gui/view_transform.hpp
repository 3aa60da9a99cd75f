// The mapping between a slide's level-0 pixels and the screen pixels of a view.
//
// A view is its centre (a point in level-0 pixels, fractional) and its scale (screen pixels
// per level-0 pixel: 1 is "1:1", 0.01 shows a 100x reduction) over a viewport of a given
// size in screen pixels. Screen (0, 0) is the viewport's top-left corner.
//
// Thread-safety: a plain value. Errors: none; scales are clamped to [kMinScale, kMaxScale].
#pragma once

#include <QPointF>
#include <QRectF>
#include <QSize>
#include <QSizeF>

namespace tileflow::gui {

struct ViewTransform {
    static constexpr double kMinScale = 1.0 / 4096;
    static constexpr double kMaxScale = 64;

    QPointF centre;  // level-0 pixels
    double scale = 1;
    QSize viewport;

    QPointF toScreen(const QPointF& level0) const;
    QPointF toLevel0(const QPointF& screen) const;
    QRectF toScreen(const QRectF& level0) const;
    // The level-0 rectangle the viewport shows (not clipped to the image).
    QRectF visibleLevel0() const;

    // Multiplies the scale by `factor` keeping the level-0 point under `screenPoint` fixed.
    void zoomAround(const QPointF& screenPoint, double factor);
    // Moves the view so that the image slides by `screenDelta` screen pixels.
    void panBy(const QPointF& screenDelta);
    // Centres the image and picks the largest scale at which all of it is visible.
    void fit(const QSizeF& imageSize);
    // Scale 1 (one level-0 pixel per screen pixel), keeping the centre.
    void oneToOne() { scale = 1; }
};

}  // namespace tileflow::gui
