#include "gui/slide_view.hpp"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>

#include "gui/scale_bar.hpp"

namespace tileflow::gui {

namespace {

// One wheel notch (120 units of angleDelta) zooms by 2^(1/4), about 19 %; trackpads send
// smaller deltas and zoom smoothly.
constexpr double kWheelUnitsPerDoubling = 480;
constexpr double kKeyZoom = 1.25;
constexpr double kKeyPanFraction = 0.125;
const QColor kBackground(40, 40, 40);

}  // namespace

SlideView::SlideView(QWidget* parent, std::int64_t cacheBytes)
    : QWidget(parent), cache_(cacheBytes) {
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMinimumSize(200, 150);
    connect(&loader_, &TileLoader::tileLoaded, this, &SlideView::placeTile);
    connect(&loader_, &TileLoader::tileFailed, this,
            [this](const TileKey&, const QString& message) { emit tileFailed(message); });
    overlaysTimer_.setSingleShot(true);
    overlaysTimer_.setInterval(kOverlaysCoalesceMs);
    connect(&overlaysTimer_, &QTimer::timeout, this, &SlideView::overlaysChanged);
    // Not restarted while pending, so a steady stream of tiles still signals.
    const auto changed = [this] {
        if (!overlaysTimer_.isActive())
            overlaysTimer_.start();
    };
    connect(&overlays_, &OverlayLayers::tileSet, this, changed);
    connect(&overlays_, &OverlayLayers::tilesRemoved, this, changed);
    connect(&overlays_, &OverlayLayers::displayChanged, this, qOverload<>(&QWidget::update));
}

void SlideView::setSource(std::shared_ptr<Source> source) {
    source_ = std::move(source);
    micronsPerPixel_ = source_->metadata().micronsPerPixel;
    channels_ = defaultChannelDisplays(source_->info());
    pyramid_ = std::make_shared<DisplayPyramid>(*source_);
    cache_.clear();
    cache_.setPinnedLevel(pyramid_->coarsest());
    overlays_.clearAll();
    loader_.setSource(source_, pyramid_);
    loader_.setChannels(channels_);
    transform_.viewport = size();
    fitPending_ = size().isEmpty();
    emit sourceChanged();
    fit();
}

void SlideView::setChannels(ChannelDisplays channels) {
    channels_ = std::move(channels);
    cache_.markAllStale();
    loader_.setChannels(channels_);
    requestTiles();
    update();
}

void SlideView::setCentreAndScale(const QPointF& centre, double scale) {
    transform_.centre = centre;
    transform_.scale = std::clamp(scale, ViewTransform::kMinScale, ViewTransform::kMaxScale);
    onViewChanged();
}

void SlideView::fit() {
    if (!pyramid_)
        return;
    const Size size = pyramid_->imageSize();
    transform_.fit(QSizeF(static_cast<double>(size.width), static_cast<double>(size.height)));
    onViewChanged();
}

void SlideView::oneToOne() {
    transform_.oneToOne();
    onViewChanged();
}

void SlideView::zoomBy(double factor) {
    transform_.zoomAround(QPointF(width() / 2.0, height() / 2.0), factor);
    onViewChanged();
}

int SlideView::currentLevel() const {
    return pyramid_ ? pyramid_->levelForScale(transform_.scale) : 0;
}

QRect SlideView::visibleImageRect() const {
    if (!pyramid_)
        return {};
    const Size size = pyramid_->imageSize();
    const QRectF image(0, 0, static_cast<double>(size.width), static_cast<double>(size.height));
    return transform_.visibleLevel0().intersected(image).toAlignedRect();
}

void SlideView::onViewChanged() {
    requestTiles();
    update();
    emit viewChanged();
}

void SlideView::requestTiles() {
    if (!pyramid_ || transform_.viewport.isEmpty())
        return;
    const QRectF visible = transform_.visibleLevel0();
    std::vector<TileKey> wanted;
    const int coarsest = pyramid_->coarsest();
    const int level = currentLevel();
    for (int l = coarsest;; l = level) {
        for (const TileKey& key : pyramid_->tilesMeeting(l, visible)) {
            if (!cache_.isCurrent(key))
                wanted.push_back(key);
        }
        if (l == level)
            break;
    }
    loader_.request(wanted);
}

void SlideView::placeTile(const TileKey& key, const QImage& tile) {
    cache_.insert(key, tile);
    if (pyramid_->level0Rect(key).intersects(transform_.visibleLevel0()))
        update();
}

bool SlideView::paintLevel(QPainter& painter, int level, bool onlyCached) {
    bool complete = true;
    for (const TileKey& key : pyramid_->tilesMeeting(level, transform_.visibleLevel0())) {
        const QImage* tile = cache_.find(key);
        if (tile == nullptr) {
            complete = false;
            continue;
        }
        if (!onlyCached)
            painter.drawImage(transform_.toScreen(pyramid_->level0Rect(key)), *tile);
    }
    return complete;
}

void SlideView::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), kBackground);
    if (!pyramid_)
        return;
    const int level = currentLevel();
    // Coarser tiles first, as a backdrop, only where the current level is incomplete.
    if (!paintLevel(painter, level, true)) {
        for (int coarser = pyramid_->coarsest(); coarser > level; --coarser)
            paintLevel(painter, coarser, false);
    }
    paintLevel(painter, level, false);
    overlays_.paint(painter, transform_);
    if (micronsPerPixel_) {
        if (const auto bar = chooseScaleBar(*micronsPerPixel_, transform_.scale))
            paintScaleBar(painter, rect(), *bar);
    }
}

void SlideView::resizeEvent(QResizeEvent*) {
    transform_.viewport = size();
    if (fitPending_ && !size().isEmpty()) {
        fitPending_ = false;
        fit();
        return;
    }
    onViewChanged();
}

void SlideView::wheelEvent(QWheelEvent* event) {
    const QPoint delta = event->angleDelta();
    const int units = delta.y() != 0 ? delta.y() : delta.x();
    if (units == 0)
        return;
    transform_.zoomAround(event->position(), std::pow(2.0, units / kWheelUnitsPerDoubling));
    onViewChanged();
    event->accept();
}

void SlideView::mousePressEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton)
        return;
    if (overlays_.nearDivider(event->position(), size())) {
        drag_ = Drag::Divider;
        setCursor(Qt::SplitHCursor);
        return;
    }
    drag_ = Drag::Pan;
    lastDragPosition_ = event->position();
    setCursor(Qt::ClosedHandCursor);
}

void SlideView::mouseMoveEvent(QMouseEvent* event) {
    if (drag_ == Drag::Divider) {
        overlays_.setDivider(event->position().x() / std::max(1, width()));
    } else if (drag_ == Drag::Pan) {
        transform_.panBy(event->position() - lastDragPosition_);
        lastDragPosition_ = event->position();
        onViewChanged();
    } else if (overlays_.nearDivider(event->position(), size())) {
        setCursor(Qt::SplitHCursor);
    } else {
        unsetCursor();
    }
    emit cursorMoved(transform_.toLevel0(event->position()));
}

void SlideView::mouseReleaseEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton)
        return;
    drag_ = Drag::None;
    unsetCursor();
}

void SlideView::keyPressEvent(QKeyEvent* event) {
    const double stepX = width() * kKeyPanFraction;
    const double stepY = height() * kKeyPanFraction;
    switch (event->key()) {
        case Qt::Key_Left:
            transform_.panBy({stepX, 0});
            break;
        case Qt::Key_Right:
            transform_.panBy({-stepX, 0});
            break;
        case Qt::Key_Up:
            transform_.panBy({0, stepY});
            break;
        case Qt::Key_Down:
            transform_.panBy({0, -stepY});
            break;
        case Qt::Key_Plus:
        case Qt::Key_Equal:
            zoomBy(kKeyZoom);
            return;
        case Qt::Key_Minus:
            zoomBy(1 / kKeyZoom);
            return;
        default:
            QWidget::keyPressEvent(event);
            return;
    }
    onViewChanged();
}

}  // namespace tileflow::gui
