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
    sentView_ = view();
    extension_->attach(this);
}

void ViewerHost::detach() {
    if (extension_ == nullptr)
        return;
    extension_->detach();
    extension_ = nullptr;
    for (const QPointer<QDockWidget>& dock : docks_)
        delete dock.data();
    docks_.clear();
    view_->overlays().clearAll();
    view_->update();
}

std::shared_ptr<Source> ViewerHost::source() const {
    return view_->source();
}

plugin::ViewState ViewerHost::view() const {
    const DisplayPyramid* pyramid = view_->pyramid();
    const int level =
        pyramid == nullptr
            ? 0
            : pyramid->levels().at(static_cast<std::size_t>(view_->currentLevel())).sourceLevel;
    return {view_->visibleImageRect(), level};
}

QWidget* ViewerHost::dialogParent() const {
    return window_;
}

void ViewerHost::addPanel(QWidget* panel, const QString& title, Qt::DockWidgetArea area) {
    auto* dock = new QDockWidget(title, window_);
    dock->setObjectName(QStringLiteral("dock.") + panel->objectName());
    dock->setWidget(panel);
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

void ViewerHost::sendView() {
    const plugin::ViewState current = view();
    if (extension_ == nullptr || current == sentView_)
        return;
    sentView_ = current;
    extension_->viewChanged(current);
}

}  // namespace tileflow::gui
