// ViewerHost: TileFlow's own viewer as a host of the TileFlow host extension
// (tileflow/plugin/host_extension.hpp), the same module other viewers load.
//
// It serves the SlideView's source as a DisplaySource (display_source.hpp: the source's
// levels plus the reduced levels the view makes on the fly) and the view (the visible part
// of the image, in level-0 pixels, and the level of that source the view draws from), so
// processing the view of an image without a pyramid works on the level shown; it docks the
// extension's panels in the main window, and draws its result layers as the view's overlays. View
// changes reach the extension coalesced: one viewChanged() per turn of the event loop, and only
// when the view state differs from the last one sent.
//
// Lifetime: attach() hands the context to an extension; detach() (also on destruction)
// takes it back and deletes the panels it added and its layers. Open a new image with
// detach(), SlideView::setSource(), attach().
// Threads: GUI thread only. Errors: none cross the interface.
#pragma once

#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include "gui/display_source.hpp"
#include "tileflow/plugin/host_extension.hpp"

class QDockWidget;
class QMainWindow;

namespace tileflow::gui {

class SlideView;

class ViewerHost final : public QObject, public plugin::HostContext {
    Q_OBJECT

public:
    ViewerHost(QMainWindow* window, SlideView* view, QObject* parent = nullptr);
    ~ViewerHost() override;

    void setImagePath(const QString& path) { imagePath_ = path; }
    void attach(plugin::HostExtension* extension);
    void detach();
    plugin::HostExtension* extension() const { return extension_; }

    std::shared_ptr<Source> source() const override;
    QString imagePath() const override { return imagePath_; }
    plugin::ViewState view() const override;
    QWidget* dialogParent() const override;
    void addPanel(QWidget* panel, const QString& title, Qt::DockWidgetArea area) override;
    void setLayerTile(const QString& layerId, const QRect& level0Rect, const QImage& tile) override;
    void clearLayer(const QString& layerId) override;
    std::int64_t displayCacheBytes() const override;

private:
    void sendView();

    QMainWindow* window_;
    SlideView* view_;
    std::shared_ptr<DisplaySource> source_;  // made at attach() for the view's source
    QString imagePath_;
    plugin::HostExtension* extension_ = nullptr;
    QList<QPointer<QDockWidget>> docks_;
    QTimer viewTimer_;
    plugin::ViewState sentView_;
};

}  // namespace tileflow::gui
