// The overview: the whole image small, with the main view's visible area drawn as a box.
//
// It shows the coarsest level's tile as the SlideView's loader delivers it (so it follows
// the channel settings and costs no read of its own), scaled to fit the widget with its
// aspect kept and centred. Pressing or dragging the left button in it recentres the view on
// the level-0 point under the cursor, keeping the view's scale.
//
// Processed coverage: where the view's result layers (SlideView::overlays()) have tiles is
// tinted over the thumbnail. A CoverageMap (coverage_map.hpp) at overview resolution is
// marked as each tile is stored and rebuilt only when tiles are removed, and the widget
// repaints on the view's coalesced overlaysChanged(), so thousands of tiles a second cost a
// few pixel writes each and a few repaints of one image.
//
// Threads: GUI thread only. Errors: none; without a source it shows an empty backdrop.
#pragma once

#include <QImage>
#include <QWidget>

#include "gui/coverage_map.hpp"

namespace tileflow::gui {

class SlideView;
struct TileKey;

class Overview final : public QWidget {
    Q_OBJECT

public:
    explicit Overview(SlideView* view, QWidget* parent = nullptr);

    // Where the image is drawn, in widget pixels; empty without a source.
    QRectF imageArea() const;
    const CoverageMap& coverage() const { return coverage_; }
    QSize sizeHint() const override { return {240, 240}; }

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;

private:
    void takeTile(const TileKey& key, const QImage& tile);
    void recentre(const QPointF& position);
    // Sizes the coverage for the view's image and marks every layer tile.
    void rebuildCoverage();

    SlideView* view_;
    QImage image_;
    CoverageMap coverage_;
};

}  // namespace tileflow::gui
