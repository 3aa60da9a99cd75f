// Result layers drawn over the slide: named maps of tiles placed at level-0 rectangles
// (what a host extension paints through HostContext::setLayerTile), and how they are shown.
//
// Tiles: a tile replaces the layer's tile at exactly the same rectangle. Layers draw in name
// order, over the image, each tile scaled into its rectangle. One-channel tiles
// (Format_Grayscale8) are drawn through the colormap (colormap.hpp) by viewing their bytes as
// Format_Indexed8 with the colormap's table at paint time, so a colormap change recolours
// every tile without touching pixels; other tiles (Format_RGB888) are drawn as they are.
// tileSet() reports each tile stored, tilesRemoved() a clear that removed any.
//
// Display (the one source of truth for the panel, the menus and the view; displayChanged()
// on every change): opacity 0 (hidden) .. 1, colormap, and mode. Overlay blends the layers
// over the image at the opacity. Split is a swipe comparison: left of a vertical divider the
// image alone, right of it the layers at full opacity; the divider sits at a fraction of the
// viewport's width and is drawn as a thin line with a small handle at mid-height.
//
// Thread-safety: none; GUI thread. Errors: none; out-of-range settings are clamped.
#pragma once

#include <QImage>
#include <QList>
#include <QObject>
#include <QRect>
#include <QString>
#include <map>
#include <tuple>
#include <vector>

#include "gui/colormap.hpp"
#include "gui/view_transform.hpp"

class QPainter;

namespace tileflow::gui {

enum class OverlayMode { Overlay, Split };

class OverlayLayers final : public QObject {
    Q_OBJECT

public:
    // A press this close (widget pixels) to the divider grabs it.
    static constexpr double kDividerGrab = 6;

    OverlayLayers();

    void setTile(const QString& layerId, const QRect& level0Rect, const QImage& tile);
    void clear(const QString& layerId);
    void clearAll();
    std::size_t tileCount(const QString& layerId) const;
    // The tile as stored, or null.
    const QImage* tile(const QString& layerId, const QRect& level0Rect) const;
    // The rectangles of every layer's tiles.
    std::vector<QRect> rects() const;

    void setOpacity(double opacity);
    double opacity() const { return opacity_; }
    void setColormap(Colormap colormap);
    Colormap colormap() const { return colormap_; }
    void setMode(OverlayMode mode);
    OverlayMode mode() const { return mode_; }
    // The divider's place as a fraction (0..1) of the viewport's width.
    void setDivider(double fraction);
    double divider() const { return divider_; }
    double dividerX(const QSize& viewport) const { return divider_ * viewport.width(); }
    // True in Split mode when `position` is within kDividerGrab of the divider.
    bool nearDivider(const QPointF& position, const QSize& viewport) const;

    void paint(QPainter& painter, const ViewTransform& transform) const;

signals:
    void tileSet(const QRect& level0Rect);
    void tilesRemoved();
    void displayChanged();

private:
    void paintTiles(QPainter& painter, const ViewTransform& transform) const;
    void paintDivider(QPainter& painter, const QSize& viewport) const;

    using RectKey = std::tuple<int, int, int, int>;  // x, y, width, height in level-0 pixels
    std::map<QString, std::map<RectKey, QImage>> layers_;
    double opacity_ = 0.5;
    Colormap colormap_ = Colormap::Grey;
    QList<QRgb> table_;
    OverlayMode mode_ = OverlayMode::Overlay;
    double divider_ = 0.5;
};

}  // namespace tileflow::gui
