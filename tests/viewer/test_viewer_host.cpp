// The viewer's main window as a host of the processing extension: the extension's panels
// dock in the window, Run view paints an overlay, and opening what cannot be read reports an
// error and keeps the image shown before.
#include <QDockWidget>
#include <QFile>
#include <QLabel>
#include <QPushButton>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>

#include "gui/main_window.hpp"
#include "gui/slide_view.hpp"
#include "gui/viewer_host.hpp"
#include "main_window_helpers.hpp"
#include "tileflow/synthetic.hpp"

using tileflow::gui::MainWindow;

namespace {

const QString kSobelLayer = QStringLiteral("tileflow:sobel");

}  // namespace

class TestViewerHost : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<MainWindow> window_;
    QStringList errors_;

    void open(const QString& name) { tileflow::testing::openWindow(window_, name, errors_); }

    template <typename Widget>
    Widget* widget(const QString& name) {
        return tileflow::testing::childNamed<Widget>(*window_, name);
    }

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        qputenv("TILEFLOW_PLUGIN_PATH", TILEFLOW_PLUGIN_DIR);
    }

    void cleanup() {
        window_.reset();
        errors_.clear();
    }

    void extensionPanelsDockInTheWindow() {
        open(QStringLiteral("synthetic:640x480x3:f32:7"));
        QVERIFY(window_->host()->extension() != nullptr);
        for (const char* name :
             {"tileflowProcessingPanel", "tileflowProgressPanel", "tileflowMemoryPanel"}) {
            QWidget* holder = widget<QWidget>(QLatin1String(name))->parentWidget();
            while (holder != nullptr && qobject_cast<QDockWidget*>(holder) == nullptr)
                holder = holder->parentWidget();
            QVERIFY2(holder != nullptr, name);
        }
        // A second image gets one set of panels, not two (besides the channels, overview and
        // overlay docks).
        QVERIFY(window_->openImage(QStringLiteral("synthetic:320x240x1:u8:1")));
        QCOMPARE(window_->findChildren<QDockWidget*>().size(), 3 + 3);
    }

    void theMemoryPanelShowsTheViewersDisplayCache() {
        open(QStringLiteral("synthetic:2048x2048x3:u16:2"));
        tileflow::gui::SlideView* view = window_->slideView();
        auto* label = widget<QLabel>(QStringLiteral("displayCache"));
        // Idle samples come once a second; the label then says the cache's size in MiB.
        QTRY_VERIFY_WITH_TIMEOUT(
            view->cache().bytes() > (1 << 20) &&
                label->text() ==
                    QStringLiteral("%1 MiB").arg(
                        static_cast<double>(view->cache().bytes()) / 1048576, 0, 'f', 1),
            10000);
    }

    void theStatusBarShowsThePixelValuesUnderTheCursor() {
        const QString spec = QStringLiteral("synthetic:640x480x3:u16:7");
        open(spec);
        tileflow::gui::SlideView* view = window_->slideView();
        const QPoint at(view->width() / 2 + 13, view->height() / 2 - 7);
        QTest::mouseMove(view, at);
        const QPointF level0 = view->transform().toLevel0(QPointF(at));
        const tileflow::Image pixel =
            tileflow::SyntheticSource(tileflow::SyntheticSpec::parse(spec.toStdString()))
                .render({static_cast<std::int64_t>(std::floor(level0.x())),
                         static_cast<std::int64_t>(std::floor(level0.y())), 1, 1});
        QStringList values;
        for (int c = 0; c < 3; ++c)
            values << QString::number(pixel.view().row<std::uint16_t>(c, 0)[0]);
        QTRY_COMPARE_WITH_TIMEOUT(widget<QLabel>(QStringLiteral("pixelValues"))->text(),
                                  QStringLiteral("values ") + values.join(QStringLiteral(", ")),
                                  5000);
    }

    void runViewPaintsAnOverlay() {
        open(QStringLiteral("synthetic:640x480x3:f32:7"));
        tileflow::testing::selectOperation(*window_, QStringLiteral("sobel"));
        tileflow::gui::SlideView* view = window_->slideView();
        view->setOverlayOpacity(1);
        const QImage before = view->grab().toImage();
        QTest::mouseClick(widget<QPushButton>(QStringLiteral("runView")), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(view->overlays().tileCount(kSobelLayer) > 0, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(view->grab().toImage() != before, 5000);
    }

    void anUnreadableFileKeepsThePreviousImage() {
        open(QStringLiteral("synthetic:640x480x1:u8:1"));
        const auto shown = window_->slideView()->source();
        QTemporaryDir dir;
        const QString bad = dir.filePath(QStringLiteral("broken.tif"));
        QFile file(bad);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("this is not a TIFF file");
        file.close();
        for (const QString& name : {bad, dir.filePath(QStringLiteral("missing.svs"))}) {
            QVERIFY(!window_->openImage(name));
            QCOMPARE(window_->slideView()->source(), shown);
            QCOMPARE(window_->imageName(), QStringLiteral("synthetic:640x480x1:u8:1"));
        }
        QCOMPARE(errors_.size(), 2);
        QVERIFY2(errors_.first().contains(QStringLiteral("broken.tif")),
                 qPrintable(errors_.first()));
    }
};

QTEST_MAIN(TestViewerHost)
#include "test_viewer_host.moc"
