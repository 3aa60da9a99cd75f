#include "gui/viewer_host.hpp"

#include <QDockWidget>
#include <QMainWindow>

#include "gui/slide_view.hpp"

namespace tileflow::gui {

ViewerHost::ViewerHost(QMainWindow* window, SlideView* view, QObject* parent)
    : QObject(parent), window_(window), view_(view) {
    viewTimer_.setSingleShot(true);
    viewTimer_.setInterval(0);
    connect(&viewTimer_, &QTimer::timeout, this, &ViewerHost::sendView);
    connect(view_, &SlideView::viewChanged, &viewTimer_, qOverload<>(&QTimer::start));
}

ViewerHost::~ViewerHost() {
    detach();
}

void ViewerHost::attach(plugin::HostExtension* extension) {
    detach();
    extension_ = extension;
    source_ = view_->source() ? std::make_shared<DisplaySource>(view_->source()) : nullptr;
    sentView_ = view();
    extension_->attach(this);
}

void ViewerHost::detach() {
    if (extension_ == nullptr)
        return;
    extension_->detach();
    extension_ = nullptr;
    source_.reset();
    for (const QPointer<QDockWidget>& dock : docks_)
        delete dock.data();
    docks_.clear();
    view_->overlays().clearAll();
    view_->update();
}

std::shared_ptr<Source> ViewerHost::source() const {
    return source_;
}

plugin::ViewState ViewerHost::view() const {
    return {view_->visibleImageRect(), view_->currentLevel()};
}

QWidget* ViewerHost::dialogParent() const {
    return window_;
}

void ViewerHost::addPanel(QWidget* panel, const QString& title, Qt::DockWidgetArea area) {
    auto* dock = new QDockWidget(title, window_);
    dock->setObjectName(QStringLiteral("dock.") + panel->objectName());
    dock->setWidget(panel);
    // Where the window's restored layout had it, else in `area`.
    if (!window_->restoreDockWidget(dock))
        window_->addDockWidget(area, dock);
    docks_.append(dock);
}

void ViewerHost::setLayerTile(const QString& layerId, const QRect& level0Rect, const QImage& tile) {
    view_->overlays().setTile(layerId, level0Rect, tile);
    view_->update();
}

void ViewerHost::clearLayer(const QString& layerId) {
    view_->overlays().clear(layerId);
    view_->update();
}

std::int64_t ViewerHost::displayCacheBytes() const {
    return view_->cache().bytes();
}

void ViewerHost::sendView() {
    const plugin::ViewState current = view();
    if (extension_ == nullptr || current == sentView_)
        return;
    sentView_ = current;
    extension_->viewChanged(current);
}

}  // namespace tileflow::gui
