// The viewer's main window: a SlideView in the middle, File / View / Help menus, the
// channel panel (channel_panel.hpp) and the overview (overview.hpp) docked on the right
// (View menu toggles them), the overlay panel (overlay_panel.hpp) docked below them, the
// processing extension's panels docked around it, a status bar with the cursor position
// (level-0 pixels, and µm when the source states its pixel size), the pixel values there (read
// in the background, pixel_probe.hpp) and the zoom factor. Help
// has Plugins, About TileFlow (about_dialog.hpp) and About Qt.
//
// Window state: the geometry and the docks' places (QMainWindow::saveGeometry/saveState, in
// QSettings under kGeometryKey and kStateKey) are saved on close and restored at
// construction; the extension's docks, added when an image opens, are placed again from the
// last state known (the saved one, or the window's own as it was before the previous image's
// docks went away).
//
// Opening: File › Open…, Open Recent (the last kMaxRecent files, QSettings), Open Demo (the
// synthetic slide kDemoImage), dropping a file on the window, or openImage(). An image that
// cannot be opened is reported through the error reporter (by default a message box) and
// the image shown before stays.
//
// The host extension `tileflow-processing` is looked up with a PluginCatalog over
// PluginCatalog::searchPaths() at construction and attached (through ViewerHost) to every
// image opened; when it is missing or refused the status bar says so and Help › Plugins
// lists every plugin record with its reason.
//
// Threads: GUI thread only. Errors: never thrown; see the error reporter.
#pragma once

#include <QMainWindow>
#include <functional>
#include <optional>

#include "tileflow/plugin/plugin_catalog.hpp"

class QDockWidget;
class QLabel;
class QMenu;

namespace tileflow::gui {

class PixelProbe;
class SlideView;
class ViewerHost;

inline constexpr const char* kDemoImage = "synthetic:65536x65536x8:u16";
inline constexpr const char* kProcessingExtension = "tileflow-processing";

class MainWindow final : public QMainWindow {
    Q_OBJECT

public:
    static constexpr int kMaxRecent = 8;
    static constexpr const char* kGeometryKey = "window/geometry";
    static constexpr const char* kStateKey = "window/state";
    using ErrorReporter = std::function<void(const QString& title, const QString& message)>;

    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens a file (or a synthetic spec); false, reported and nothing changed when it fails.
    bool openImage(const QString& name);
    void openDemo() { openImage(QString::fromLatin1(kDemoImage)); }
    QString imageName() const { return imageName_; }

    void setErrorReporter(ErrorReporter reporter) { reportError_ = std::move(reporter); }
    SlideView* slideView() const { return view_; }
    ViewerHost* host() const { return host_; }
    const plugin::PluginCatalog& plugins() const { return catalog_; }

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

private:
    void createDocks();
    void createMenus();
    void loadExtension();
    void chooseFile();
    void rememberRecent(const QString& name);
    void fillRecentMenu();
    void showPlugins();
    void showCursor(const QPointF& level0);
    void showZoom();

    SlideView* view_;
    ViewerHost* host_;
    plugin::PluginCatalog catalog_;
    plugin::HostExtension* extension_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    QDockWidget* channelDock_ = nullptr;
    QDockWidget* overviewDock_ = nullptr;
    QDockWidget* overlayDock_ = nullptr;
    QByteArray dockState_;  // the layout before the last image switch, restored after it
    QLabel* positionLabel_;
    QLabel* valuesLabel_;
    QLabel* zoomLabel_;
    PixelProbe* probe_;
    QPoint cursor_;  // the level-0 pixel under the cursor
    QString imageName_;
    std::optional<double> micronsPerPixel_;
    ErrorReporter reportError_;
};

}  // namespace tileflow::gui
