#include "gui/main_window.hpp"

#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QStatusBar>
#include <cmath>

#include "gui/about_dialog.hpp"
#include "gui/channel_panel.hpp"
#include "gui/overlay_panel.hpp"
#include "gui/overview.hpp"
#include "gui/pixel_probe.hpp"
#include "gui/plugins_dialog.hpp"
#include "gui/slide_view.hpp"
#include "gui/viewer_host.hpp"
#include "tileflow/open.hpp"
#include "tileflow/synthetic.hpp"

namespace tileflow::gui {

namespace {

const QString kRecentKey = QStringLiteral("recentFiles");
const QString kImageFilter = QStringLiteral(
    "Images (*.svs *.tif *.tiff *.ndpi *.mrxs *.vms *.vmu *.scn *.bif *.svslide *.npy "
    "*.zarr .zattrs .zgroup);;All files (*)");

// A zarr store is a folder; its metadata files stand for it in a file dialog.
QString storeOf(const QString& path) {
    const QFileInfo info(path);
    if (info.fileName() == QLatin1String(".zattrs") || info.fileName() == QLatin1String(".zgroup"))
        return info.absolutePath();
    return path;
}

}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      view_(new SlideView(this)),
      host_(new ViewerHost(this, view_, this)),
      positionLabel_(new QLabel(this)),
      valuesLabel_(new QLabel(this)),
      zoomLabel_(new QLabel(this)),
      probe_(new PixelProbe(this)),
      reportError_([this](const QString& title, const QString& message) {
          QMessageBox::critical(this, title, message);
      }) {
    setWindowTitle(QStringLiteral("TileFlow"));
    setCentralWidget(view_);
    setAcceptDrops(true);
    resize(1280, 860);
    statusBar()->addPermanentWidget(positionLabel_);
    valuesLabel_->setObjectName(QStringLiteral("pixelValues"));
    statusBar()->addPermanentWidget(valuesLabel_);
    connect(probe_, &PixelProbe::valuesRead, this, [this](const QPoint& at, const QString& values) {
        if (at == cursor_)
            valuesLabel_->setText(tr("values %1").arg(values));
    });
    statusBar()->addPermanentWidget(zoomLabel_);
    connect(view_, &SlideView::cursorMoved, this, &MainWindow::showCursor);
    connect(view_, &SlideView::viewChanged, this, &MainWindow::showZoom);
    connect(view_, &SlideView::tileFailed, this, [this](const QString& message) {
        statusBar()->showMessage(tr("Cannot read a tile: %1").arg(message), 10000);
    });
    createDocks();
    createMenus();
    loadExtension();
    const QSettings settings;
    restoreGeometry(settings.value(QLatin1String(kGeometryKey)).toByteArray());
    // The extension's docks do not exist yet; ViewerHost::addPanel restores each from this.
    restoreState(settings.value(QLatin1String(kStateKey)).toByteArray());
}

void MainWindow::createDocks() {
    channelDock_ = new ChannelPanel(view_, this);
    addDockWidget(Qt::RightDockWidgetArea, channelDock_);
    overviewDock_ = new QDockWidget(tr("Overview"), this);
    overviewDock_->setObjectName(QStringLiteral("overviewDock"));
    overviewDock_->setWidget(new Overview(view_, overviewDock_));
    addDockWidget(Qt::RightDockWidgetArea, overviewDock_);
    overlayDock_ = new OverlayPanel(&view_->overlays(), this);
    addDockWidget(Qt::RightDockWidgetArea, overlayDock_);
}

MainWindow::~MainWindow() {
    host_->detach();
}

void MainWindow::createMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open…"), QKeySequence::Open, this, &MainWindow::chooseFile);
    recentMenu_ = file->addMenu(tr("Open &Recent"));
    connect(recentMenu_, &QMenu::aboutToShow, this, &MainWindow::fillRecentMenu);
    file->addAction(tr("Open &Demo"), this, &MainWindow::openDemo);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(tr("&Fit"), QKeySequence(Qt::CTRL | Qt::Key_0), view_, &SlideView::fit);
    view->addAction(tr("&1:1"), QKeySequence(Qt::CTRL | Qt::Key_1), view_, &SlideView::oneToOne);
    view->addAction(tr("Zoom &In"), QKeySequence::ZoomIn, this, [this] { view_->zoomBy(1.25); });
    view->addAction(tr("Zoom &Out"), QKeySequence::ZoomOut, this,
                    [this] { view_->zoomBy(1 / 1.25); });
    view->addSeparator();
    view->addAction(channelDock_->toggleViewAction());
    view->addAction(overviewDock_->toggleViewAction());
    view->addAction(overlayDock_->toggleViewAction());

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Plugins…"), this, &MainWindow::showPlugins);
    help->addSeparator();
    help->addAction(tr("&About TileFlow"), this, [this] { showAbout(this); });
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::loadExtension() {
    catalog_.scan(plugin::PluginCatalog::searchPaths());
    extension_ = catalog_.hostExtension(QString::fromLatin1(kProcessingExtension));
    if (extension_ == nullptr) {
        statusBar()->showMessage(
            tr("Processing unavailable: the %1 extension was not found or was refused (see "
               "Help › Plugins)")
                .arg(QString::fromLatin1(kProcessingExtension)));
    }
}

bool MainWindow::openImage(const QString& name) {
    std::shared_ptr<Source> source;
    try {
        source = openSource(name.toStdString());
    } catch (const std::exception& e) {
        reportError_(tr("Cannot open %1").arg(name), QString::fromStdString(e.what()));
        return false;
    }
    // The extension's docks are made anew for each image: keep where the user put them.
    const bool hadPanels = host_->extension() != nullptr;
    if (hadPanels)
        dockState_ = saveState();
    host_->detach();
    micronsPerPixel_ = source->metadata().micronsPerPixel;
    view_->setSource(std::move(source));
    probe_->setSource(view_->source());
    valuesLabel_->clear();
    const bool synthetic = SyntheticSpec::matches(name.toStdString());
    host_->setImagePath(synthetic ? QString() : QFileInfo(name).absoluteFilePath());
    if (extension_ != nullptr) {
        host_->attach(extension_);
        if (hadPanels)
            restoreState(dockState_);
    }
    imageName_ = name;
    setWindowTitle(
        QStringLiteral("%1 — TileFlow").arg(synthetic ? name : QFileInfo(name).fileName()));
    if (name != QLatin1String(kDemoImage))
        rememberRecent(synthetic ? name : QFileInfo(name).absoluteFilePath());
    showZoom();
    return true;
}

void MainWindow::chooseFile() {
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open image"), QString(), kImageFilter);
    if (!path.isEmpty())
        openImage(storeOf(path));
}

void MainWindow::rememberRecent(const QString& name) {
    QSettings settings;
    QStringList recent = settings.value(kRecentKey).toStringList();
    recent.removeAll(name);
    recent.prepend(name);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    settings.setValue(kRecentKey, recent);
}

void MainWindow::fillRecentMenu() {
    recentMenu_->clear();
    const QStringList recent = QSettings().value(kRecentKey).toStringList();
    for (const QString& name : recent)
        recentMenu_->addAction(name, this, [this, name] { openImage(name); });
    recentMenu_->setEnabled(true);
    if (recent.isEmpty())
        recentMenu_->addAction(tr("(none)"))->setEnabled(false);
}

void MainWindow::showPlugins() {
    PluginsDialog dialog(catalog_.plugins(), plugin::PluginCatalog::searchPaths(), this);
    dialog.exec();
}

void MainWindow::showCursor(const QPointF& level0) {
    QString text = tr("x %1  y %2 px").arg(level0.x(), 0, 'f', 0).arg(level0.y(), 0, 'f', 0);
    if (micronsPerPixel_) {
        text += tr("  (%1, %2 µm)")
                    .arg(level0.x() * *micronsPerPixel_, 0, 'f', 1)
                    .arg(level0.y() * *micronsPerPixel_, 0, 'f', 1);
    }
    positionLabel_->setText(text);
    cursor_ =
        QPoint(static_cast<int>(std::floor(level0.x())), static_cast<int>(std::floor(level0.y())));
    valuesLabel_->clear();
    probe_->probe(cursor_);
}

void MainWindow::showZoom() {
    zoomLabel_->setText(tr("zoom %1 %").arg(view_->transform().scale * 100, 0, 'g', 4));
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    const QList<QUrl> urls = event->mimeData()->urls();
    if (!urls.isEmpty() && urls.first().isLocalFile())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.isEmpty() || !urls.first().isLocalFile())
        return;
    event->acceptProposedAction();
    openImage(storeOf(urls.first().toLocalFile()));
}

void MainWindow::closeEvent(QCloseEvent* event) {
    QSettings settings;
    settings.setValue(QLatin1String(kGeometryKey), saveGeometry());
    settings.setValue(QLatin1String(kStateKey), saveState());
    QMainWindow::closeEvent(event);
}

}  // namespace tileflow::gui
