#include "gui/overview.hpp"

#include <QMouseEvent>
#include <QPainter>
#include <algorithm>

#include "gui/slide_view.hpp"

namespace tileflow::gui {

Overview::Overview(SlideView* view, QWidget* parent) : QWidget(parent), view_(view) {
    setObjectName(QStringLiteral("overview"));
    setMinimumSize(120, 120);
    connect(view_, &SlideView::sourceChanged, this, [this] {
        image_ = {};
        rebuildCoverage();
        update();
    });
    connect(view_, &SlideView::viewChanged, this, qOverload<>(&QWidget::update));
    connect(view_, &SlideView::overlaysChanged, this, qOverload<>(&QWidget::update));
    connect(&view_->loader(), &TileLoader::tileLoaded, this, &Overview::takeTile);
    connect(&view_->overlays(), &OverlayLayers::tileSet, this,
            [this](const QRect& level0Rect) { coverage_.mark(level0Rect); });
    connect(&view_->overlays(), &OverlayLayers::tilesRemoved, this, &Overview::rebuildCoverage);
    rebuildCoverage();
}

void Overview::rebuildCoverage() {
    if (view_->pyramid() == nullptr) {
        coverage_.reset({});
        return;
    }
    const Size image = view_->pyramid()->imageSize();
    coverage_.reset(QSize(static_cast<int>(image.width), static_cast<int>(image.height)));
    for (const QRect& rect : view_->overlays().rects())
        coverage_.mark(rect);
}

QRectF Overview::imageArea() const {
    if (view_->pyramid() == nullptr)
        return {};
    const Size image = view_->pyramid()->imageSize();
    const QSizeF size(static_cast<double>(image.width), static_cast<double>(image.height));
    const QSizeF fitted = size.scaled(QSizeF(width(), height()), Qt::KeepAspectRatio);
    return {QPointF((width() - fitted.width()) / 2, (height() - fitted.height()) / 2), fitted};
}

void Overview::takeTile(const TileKey& key, const QImage& tile) {
    if (view_->pyramid() == nullptr || key.level != view_->pyramid()->coarsest())
        return;
    image_ = tile;
    update();
}

void Overview::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), QColor(40, 40, 40));
    const QRectF area = imageArea();
    if (area.isEmpty())
        return;
    if (!image_.isNull())
        painter.drawImage(area, image_);
    painter.drawImage(area, coverage_.image());
    const Size image = view_->pyramid()->imageSize();
    const double scale = area.width() / static_cast<double>(image.width);
    const QRectF visible = view_->transform().visibleLevel0();
    const QRectF box(area.topLeft() + visible.topLeft() * scale, visible.size() * scale);
    painter.setPen(QPen(Qt::yellow, 1.5));
    painter.drawRect(box.intersected(area.adjusted(0, 0, -1, -1)));
}

void Overview::mousePressEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton)
        recentre(event->position());
}

void Overview::mouseMoveEvent(QMouseEvent* event) {
    if (event->buttons() & Qt::LeftButton)
        recentre(event->position());
}

void Overview::recentre(const QPointF& position) {
    const QRectF area = imageArea();
    if (area.isEmpty())
        return;
    const Size image = view_->pyramid()->imageSize();
    const double scale = area.width() / static_cast<double>(image.width);
    const QPointF inside(std::clamp(position.x(), area.left(), area.right()),
                         std::clamp(position.y(), area.top(), area.bottom()));
    view_->setCentreAndScale((inside - area.topLeft()) / scale, view_->transform().scale);
}

}  // namespace tileflow::gui
