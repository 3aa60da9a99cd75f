// Result layers drawn over the slide: named maps of tiles placed at level-0 rectangles
// (what a host extension paints through HostContext::setLayerTile), shown with one opacity.
//
// A tile replaces the layer's tile at exactly the same rectangle. Layers draw in name
// order, over the image, each tile scaled into its rectangle.
//
// Thread-safety: none; GUI thread. Errors: none.
#pragma once

#include <QImage>
#include <QRect>
#include <QString>
#include <map>
#include <tuple>

#include "gui/view_transform.hpp"

class QPainter;

namespace tileflow::gui {

class OverlayLayers {
public:
    void setTile(const QString& layerId, const QRect& level0Rect, const QImage& tile);
    void clear(const QString& layerId) { layers_.erase(layerId); }
    void clearAll() { layers_.clear(); }
    std::size_t tileCount(const QString& layerId) const;

    // 0 (hidden) .. 1 (opaque).
    void setOpacity(double opacity);
    double opacity() const { return opacity_; }

    void paint(QPainter& painter, const ViewTransform& transform) const;

private:
    using RectKey = std::tuple<int, int, int, int>;  // x, y, width, height in level-0 pixels
    std::map<QString, std::map<RectKey, QImage>> layers_;
    double opacity_ = 0.5;
};

}  // namespace tileflow::gui
