#include "gui/overlay_layers.hpp"

#include <QPainter>
#include <algorithm>

namespace tileflow::gui {

void OverlayLayers::setTile(const QString& layerId, const QRect& level0Rect, const QImage& tile) {
    layers_[layerId][{level0Rect.x(), level0Rect.y(), level0Rect.width(), level0Rect.height()}] =
        tile;
}

std::size_t OverlayLayers::tileCount(const QString& layerId) const {
    auto it = layers_.find(layerId);
    return it == layers_.end() ? 0 : it->second.size();
}

void OverlayLayers::setOpacity(double opacity) {
    opacity_ = std::clamp(opacity, 0.0, 1.0);
}

void OverlayLayers::paint(QPainter& painter, const ViewTransform& transform) const {
    if (opacity_ <= 0)
        return;
    const QRectF visible = transform.visibleLevel0();
    painter.save();
    painter.setOpacity(opacity_);
    for (const auto& [id, tiles] : layers_) {
        for (const auto& [key, tile] : tiles) {
            const auto [x, y, width, height] = key;
            const QRectF level0(x, y, width, height);
            if (level0.intersects(visible))
                painter.drawImage(transform.toScreen(level0), tile);
        }
    }
    painter.restore();
}

}  // namespace tileflow::gui
