#include "reference_host.hpp"

#include <QApplication>
#include <QDockWidget>
#include <QThread>

ReferenceHost::ReferenceHost(std::shared_ptr<tileflow::Source> source)
    : source_(std::move(source)) {
    const tileflow::Size size = source_->info().size;
    view_ = {QRect(0, 0, static_cast<int>(size.width), static_cast<int>(size.height)), 0};
    window_->resize(900, 700);
}

void ReferenceHost::check() const {
    if (QThread::currentThread() != qApp->thread() || !attached_)
        ++violations_;
}

const std::map<ReferenceHost::TileKey, QImage>& ReferenceHost::layer(const QString& layerId) const {
    static const std::map<TileKey, QImage> none;
    auto it = layers_.find(layerId);
    return it == layers_.end() ? none : it->second;
}

bool ReferenceHost::covers(const QString& layerId, const QRect& level0Rect) const {
    QRegion covered;
    for (const auto& [key, tile] : layer(layerId)) {
        const auto [x, y, width, height] = key;
        covered += QRect(x, y, width, height);
    }
    return QRegion(level0Rect).subtracted(covered).isEmpty();
}

std::shared_ptr<tileflow::Source> ReferenceHost::source() const {
    check();
    return source_;
}

tileflow::plugin::ViewState ReferenceHost::view() const {
    check();
    return view_;
}

QWidget* ReferenceHost::dialogParent() const {
    check();
    return window_.get();
}

void ReferenceHost::addPanel(QWidget* panel, const QString& title, Qt::DockWidgetArea area) {
    check();
    auto* dock = new QDockWidget(title, window_.get());
    dock->setWidget(panel);
    window_->addDockWidget(area, dock);
}

void ReferenceHost::setLayerTile(const QString& layerId, const QRect& level0Rect,
                                 const QImage& tile) {
    check();
    ++tileCalls_;
    layers_[layerId][{level0Rect.x(), level0Rect.y(), level0Rect.width(), level0Rect.height()}] =
        tile;
}

void ReferenceHost::clearLayer(const QString& layerId) {
    check();
    layers_.erase(layerId);
}
