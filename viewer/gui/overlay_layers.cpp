#include "gui/overlay_layers.hpp"

#include <QPainter>
#include <algorithm>
#include <cmath>

namespace tileflow::gui {

namespace {

constexpr double kHandleWidth = 8;
constexpr double kHandleHeight = 36;

}  // namespace

OverlayLayers::OverlayLayers() : table_(colormapTable(colormap_)) {}

void OverlayLayers::setTile(const QString& layerId, const QRect& level0Rect, const QImage& tile) {
    layers_[layerId][{level0Rect.x(), level0Rect.y(), level0Rect.width(), level0Rect.height()}] =
        tile;
    emit tileSet(level0Rect);
}

void OverlayLayers::clear(const QString& layerId) {
    if (layers_.erase(layerId) > 0)
        emit tilesRemoved();
}

void OverlayLayers::clearAll() {
    if (layers_.empty())
        return;
    layers_.clear();
    emit tilesRemoved();
}

std::size_t OverlayLayers::tileCount(const QString& layerId) const {
    auto it = layers_.find(layerId);
    return it == layers_.end() ? 0 : it->second.size();
}

const QImage* OverlayLayers::tile(const QString& layerId, const QRect& level0Rect) const {
    auto layer = layers_.find(layerId);
    if (layer == layers_.end())
        return nullptr;
    auto it = layer->second.find(
        {level0Rect.x(), level0Rect.y(), level0Rect.width(), level0Rect.height()});
    return it == layer->second.end() ? nullptr : &it->second;
}

std::vector<QRect> OverlayLayers::rects() const {
    std::vector<QRect> all;
    for (const auto& [id, tiles] : layers_) {
        for (const auto& [key, tile] : tiles) {
            const auto [x, y, width, height] = key;
            all.emplace_back(x, y, width, height);
        }
    }
    return all;
}

void OverlayLayers::setOpacity(double opacity) {
    opacity = std::clamp(opacity, 0.0, 1.0);
    if (opacity == opacity_)
        return;
    opacity_ = opacity;
    emit displayChanged();
}

void OverlayLayers::setColormap(Colormap colormap) {
    if (colormap == colormap_)
        return;
    colormap_ = colormap;
    table_ = colormapTable(colormap);
    emit displayChanged();
}

void OverlayLayers::setMode(OverlayMode mode) {
    if (mode == mode_)
        return;
    mode_ = mode;
    emit displayChanged();
}

void OverlayLayers::setDivider(double fraction) {
    fraction = std::clamp(fraction, 0.0, 1.0);
    if (fraction == divider_)
        return;
    divider_ = fraction;
    emit displayChanged();
}

bool OverlayLayers::nearDivider(const QPointF& position, const QSize& viewport) const {
    return mode_ == OverlayMode::Split &&
           std::abs(position.x() - dividerX(viewport)) <= kDividerGrab;
}

void OverlayLayers::paint(QPainter& painter, const ViewTransform& transform) const {
    const QSize viewport = transform.viewport;
    painter.save();
    if (mode_ == OverlayMode::Split) {
        const double x = dividerX(viewport);
        painter.setClipRect(QRectF(x, 0, viewport.width() - x, viewport.height()));
        paintTiles(painter, transform);
        painter.setClipping(false);
        paintDivider(painter, viewport);
    } else if (opacity_ > 0) {
        painter.setOpacity(opacity_);
        paintTiles(painter, transform);
    }
    painter.restore();
}

void OverlayLayers::paintTiles(QPainter& painter, const ViewTransform& transform) const {
    const QRectF visible = transform.visibleLevel0();
    for (const auto& [id, tiles] : layers_) {
        for (const auto& [key, tile] : tiles) {
            const auto [x, y, width, height] = key;
            const QRectF level0(x, y, width, height);
            if (!level0.intersects(visible))
                continue;
            if (tile.format() != QImage::Format_Grayscale8) {
                painter.drawImage(transform.toScreen(level0), tile);
                continue;
            }
            // The same bytes, read-only, seen through the colour table: no copy.
            QImage indexed(tile.constBits(), tile.width(), tile.height(), tile.bytesPerLine(),
                           QImage::Format_Indexed8);
            indexed.setColorTable(table_);
            painter.drawImage(transform.toScreen(level0), indexed);
        }
    }
}

void OverlayLayers::paintDivider(QPainter& painter, const QSize& viewport) const {
    const double x = std::round(dividerX(viewport)) + 0.5;
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QPen(QColor(255, 255, 255, 220), 1));
    painter.drawLine(QPointF(x, 0), QPointF(x, viewport.height()));
    painter.setBrush(QColor(255, 255, 255, 220));
    painter.setPen(QPen(QColor(0, 0, 0, 160), 1));
    painter.drawRoundedRect(QRectF(x - kHandleWidth / 2, (viewport.height() - kHandleHeight) / 2,
                                   kHandleWidth, kHandleHeight),
                            3, 3);
}

}  // namespace tileflow::gui
