// SlideView: a widget that shows a Source as a multi-resolution tiled image.
//
// View: a ViewTransform (level-0 centre and scale). The wheel zooms around the cursor
// (smoothly, by angleDelta), dragging with the left button and the arrow keys pan, + and -
// zoom around the centre; fit() and oneToOne() set the scale. A new source is fitted.
//
// Drawing: the view draws from the pyramid level DisplayPyramid::levelForScale() picks.
// Missing tiles are asked of a TileLoader (background threads) on every view change, those
// of the coarsest level first, then the visible ones of the current level centre-out; until
// they arrive the view shows the best coarser tiles it holds, scaled up, so that once the
// coarsest tile is in (one tile, pinned in the cache) the view is never blank. Loaded tiles
// live in a byte-bounded DisplayCache. Result layers (OverlayLayers) are drawn on top, and
// a scale bar (scale_bar.hpp) in the bottom-left corner when the source states its pixel size.
// In the layers' Split mode a left-button press within OverlayLayers::kDividerGrab of the
// divider drags the divider instead of panning.
//
// overlaysChanged() says the layers' tiles changed, coalesced: at most one per
// kOverlaysCoalesceMs however many tiles arrive, so that listeners (the overview) repaint a
// few times a second rather than once a tile. Display changes of the layers repaint the view.
//
// Channels: a new source shows with defaultChannelDisplays(). The cache holds composited
// tiles, so setChannels() marks them stale and has the visible ones composited anew; the
// stale tiles stay on screen until their replacements arrive.
//
// Threads: GUI thread only; painting and input never wait for reads.
// Errors: a tile that cannot be read is reported by tileFailed and left undrawn.
#pragma once

#include <QPoint>
#include <QTimer>
#include <QWidget>
#include <memory>
#include <optional>

#include "gui/display_cache.hpp"
#include "gui/display_pyramid.hpp"
#include "gui/overlay_layers.hpp"
#include "gui/tile_loader.hpp"
#include "gui/view_transform.hpp"

namespace tileflow::gui {

class SlideView final : public QWidget {
    Q_OBJECT

public:
    static constexpr int kOverlaysCoalesceMs = 50;

    explicit SlideView(QWidget* parent = nullptr,
                       std::int64_t cacheBytes = std::int64_t{256} << 20);

    void setSource(std::shared_ptr<Source> source);
    const std::shared_ptr<Source>& source() const { return source_; }
    std::optional<double> micronsPerPixel() const { return micronsPerPixel_; }

    const ChannelDisplays& channels() const { return channels_; }
    void setChannels(ChannelDisplays channels);

    const ViewTransform& transform() const { return transform_; }
    void setCentreAndScale(const QPointF& centre, double scale);
    void fit();
    void oneToOne();
    // Zooms by `factor` around the viewport's centre.
    void zoomBy(double factor);

    // The pyramid level drawn from now, and the visible part of the image in level-0 pixels.
    int currentLevel() const;
    QRect visibleImageRect() const;

    OverlayLayers& overlays() { return overlays_; }
    void setOverlayOpacity(double opacity) { overlays_.setOpacity(opacity); }

    const DisplayPyramid* pyramid() const { return pyramid_.get(); }
    const DisplayCache& cache() const { return cache_; }
    const TileLoader& loader() const { return loader_; }

signals:
    void sourceChanged();
    void viewChanged();
    void overlaysChanged();
    void cursorMoved(const QPointF& level0);
    void tileFailed(const QString& message);

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    void onViewChanged();
    void requestTiles();
    void placeTile(const TileKey& key, const QImage& tile);
    // Draws the cached tiles of `level` that meet the visible area; true when none is missing.
    bool paintLevel(QPainter& painter, int level, bool onlyCached);

    std::shared_ptr<Source> source_;
    std::optional<double> micronsPerPixel_;
    ChannelDisplays channels_;
    std::shared_ptr<DisplayPyramid> pyramid_;
    DisplayCache cache_;
    TileLoader loader_;
    OverlayLayers overlays_;
    ViewTransform transform_;
    QTimer overlaysTimer_;
    bool fitPending_ = false;
    enum class Drag { None, Pan, Divider } drag_ = Drag::None;
    QPointF lastDragPosition_;
};

}  // namespace tileflow::gui
