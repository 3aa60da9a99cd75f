// The viewer's result overlays: the overview's coverage of layer tiles and its coalesced
// repaint signal, colormaps on one-channel tiles, opacity, the Split comparison and its
// divider, the About text, and the window's geometry and docks kept across runs.
#include <tiffio.h>

#include <QComboBox>
#include <QDockWidget>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QStandardPaths>
#include <QTest>
#include <algorithm>
#include <cstdlib>
#include <memory>
#include <vector>

#include "gui/about_dialog.hpp"
#include "gui/colormap.hpp"
#include "gui/main_window.hpp"
#include "gui/overlay_layers.hpp"
#include "gui/overlay_panel.hpp"
#include "gui/overview.hpp"
#include "gui/slide_view.hpp"
#include "gui/viewer_host.hpp"
#include "tileflow/plugin/callback_source.hpp"

using tileflow::gui::Colormap;
using tileflow::gui::MainWindow;
using tileflow::gui::OverlayMode;
using tileflow::gui::OverlayPanel;
using tileflow::gui::Overview;
using tileflow::gui::SlideView;

namespace {

const QString kLayer = QStringLiteral("result");
const QRgb kImage = qRgb(90, 90, 90);  // every pixel of constantRgb()

// An 8-bit RGB image whose every sample is 90.
std::shared_ptr<tileflow::Source> constantRgb(tileflow::Size size) {
    return std::make_shared<tileflow::plugin::CallbackSource>(
        tileflow::ImageInfo{size, 3, tileflow::DType::U8},
        [](int, const tileflow::Rect&, tileflow::ImageView out) {
            for (int c = 0; c < out.channels(); ++c) {
                for (std::int64_t y = 0; y < out.height(); ++y)
                    std::fill_n(out.row<std::uint8_t>(c, y), out.width(), std::uint8_t{90});
            }
        });
}

QImage greyTile(QSize size, int value) {
    QImage tile(size, QImage::Format_Grayscale8);
    tile.fill(qRgb(value, value, value));
    return tile;
}

bool closeTo(QRgb a, QRgb b, int tolerance) {
    return std::abs(qRed(a) - qRed(b)) <= tolerance &&
           std::abs(qGreen(a) - qGreen(b)) <= tolerance &&
           std::abs(qBlue(a) - qBlue(b)) <= tolerance;
}

// Whether mask pixel (i, j) of a mask at 1/`cell` of level 0 overlaps any of `rects`.
bool expectedCovered(const std::vector<QRect>& rects, int i, int j, int cell) {
    const QRect area(i * cell, j * cell, cell, cell);
    return std::any_of(rects.begin(), rects.end(),
                       [&](const QRect& r) { return r.intersects(area); });
}

}  // namespace

class TestViewerOverlay : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<SlideView> view_;

    // A 512 x 384 view of a constantRgb() image, screen pixel = level-0 pixel, tiles in.
    void show(tileflow::Size size = {512, 384}) {
        view_ = std::make_unique<SlideView>();
        view_->resize(512, 384);
        view_->show();
        QVERIFY(QTest::qWaitForWindowExposed(view_.get()));
        view_->setSource(constantRgb(size));
        view_->setCentreAndScale({256, 192}, 1);
        QTRY_COMPARE_WITH_TIMEOUT(shownPixel({10, 10}), kImage, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(shownPixel({500, 370}), kImage, 5000);
    }

    QRgb shownPixel(QPoint p) const {
        return view_->grab().toImage().convertToFormat(QImage::Format_RGB32).pixel(p);
    }

private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName(QStringLiteral("TileFlowTests"));
        QCoreApplication::setApplicationName(QStringLiteral("test_viewer_overlay"));
        QStandardPaths::setTestModeEnabled(true);
        qputenv("TILEFLOW_PLUGIN_PATH", TILEFLOW_PLUGIN_DIR);
        QSettings().clear();
    }

    void cleanupTestCase() { QSettings().clear(); }

    void cleanup() { view_.reset(); }

    void coverageMarksExactlyTheRectsSetAndRepaintsCoalesced() {
        show({4096, 2048});  // the coverage mask is 512 x 256: 8 level-0 pixels a mask pixel
        Overview overview(view_.get());
        QSignalSpy changed(view_.get(), &SlideView::overlaysChanged);
        std::vector<QRect> rects = {{0, 0, 256, 256}, {1000, 500, 300, 77}, {4000, 2000, 200, 200}};
        for (const QRect& r : rects)
            view_->overlays().setTile(kLayer, r, greyTile(r.size(), 1));
        // Many tiles in one go: one coalesced signal.
        for (int i = 0; i < 500; ++i) {
            const QRect r(2048 + (i % 25) * 16, 1024 + (i / 25) * 16, 16, 16);
            view_->overlays().setTile(QStringLiteral("other"), r, greyTile(r.size(), 1));
        }
        QTRY_COMPARE(changed.count(), 1);
        QTest::qWait(3 * SlideView::kOverlaysCoalesceMs);
        QCOMPARE(changed.count(), 1);

        const auto check = [&](const std::vector<QRect>& expected) {
            const QImage& mask = overview.coverage().image();
            QCOMPARE(mask.size(), QSize(512, 256));
            for (int j = 0; j < mask.height(); ++j) {
                for (int i = 0; i < mask.width(); ++i) {
                    if (overview.coverage().covered(i, j) != expectedCovered(expected, i, j, 8))
                        QFAIL(qPrintable(QStringLiteral("mask pixel %1,%2").arg(i).arg(j)));
                }
            }
        };
        std::vector<QRect> all = rects;
        for (int i = 0; i < 500; ++i)
            all.emplace_back(2048 + (i % 25) * 16, 1024 + (i / 25) * 16, 16, 16);
        check(all);
        QVERIFY(overview.coverage().covered(125, 62));  // the rect at 1000, 500
        QVERIFY(
            !overview.coverage().covered(163, 62));  // just right of it (ends in 162: 1296..1303)

        view_->overlays().clear(QStringLiteral("other"));  // removal rebuilds the mask
        check(rects);
        QTRY_COMPARE(changed.count(), 2);
    }

    void aColormapColoursOneChannelTiles() {
        show();
        view_->overlays().setOpacity(1);
        const QRect rect(100, 100, 64, 64);
        QImage tile(64, 64, QImage::Format_Grayscale8);
        for (int y = 0; y < 64; ++y) {
            for (int x = 0; x < 64; ++x)
                tile.scanLine(y)[x] = static_cast<uchar>(x * 4);
        }
        view_->overlays().setTile(kLayer, rect, tile);
        const QPoint at(110, 130);  // tile column 10: value 40
        view_->overlays().setColormap(Colormap::Grey);
        QCOMPARE(shownPixel(at), qRgb(40, 40, 40));
        view_->overlays().setColormap(Colormap::Green);
        QCOMPARE(shownPixel(at), qRgb(0, 40, 0));
        view_->overlays().setColormap(Colormap::Magenta);
        QCOMPARE(shownPixel(at), qRgb(40, 0, 40));
        view_->overlays().setColormap(Colormap::Viridis);
        QCOMPARE(shownPixel(at), tileflow::gui::colormapTable(Colormap::Viridis)[40]);
        QCOMPARE(shownPixel({163, 130}), tileflow::gui::colormapTable(Colormap::Viridis)[252]);
        // The stored tile is the one given, untouched by the colormap.
        QCOMPARE(*view_->overlays().tile(kLayer, rect), tile);
        // An RGB tile shows as it is, whatever the colormap.
        QImage rgb(64, 64, QImage::Format_RGB888);
        rgb.fill(qRgb(10, 120, 230));
        view_->overlays().setTile(kLayer, rect, rgb);
        QCOMPARE(shownPixel(at), qRgb(10, 120, 230));
        QCOMPARE(shownPixel({90, 90}), kImage);  // outside the tile
    }

    void theOpacityPanelDrivesTheLayersAndFollowsThem() {
        show();
        OverlayPanel panel(&view_->overlays());
        auto* slider = panel.findChild<QSlider*>(QStringLiteral("opacity"));
        auto* colormap = panel.findChild<QComboBox*>(QStringLiteral("colormap"));
        QVERIFY(slider != nullptr && colormap != nullptr);
        view_->overlays().setTile(kLayer, {100, 100, 64, 64}, greyTile({64, 64}, 200));
        slider->setValue(100);
        QCOMPARE(view_->overlays().opacity(), 1.0);
        QCOMPARE(shownPixel({120, 120}), qRgb(200, 200, 200));
        slider->setValue(0);
        QCOMPARE(view_->overlays().opacity(), 0.0);
        QCOMPARE(shownPixel({120, 120}), kImage);
        view_->setOverlayOpacity(0.75);
        QCOMPARE(slider->value(), 75);
        colormap->setCurrentIndex(static_cast<int>(Colormap::Green));
        QCOMPARE(view_->overlays().colormap(), Colormap::Green);
        const QRgb blended = shownPixel({120, 120});
        const QRgb expected =
            qRgb(qRound(90 * 0.25), qRound(90 * 0.25 + 200 * 0.75), qRound(90 * 0.25));
        QVERIFY2(closeTo(blended, expected, 2), qPrintable(QString::number(blended, 16)));
    }

    void splitShowsTheImageLeftAndTheResultRightAtFullOpacity() {
        show();
        view_->overlays().setTile(kLayer, {0, 0, 512, 384}, greyTile({512, 384}, 200));
        view_->overlays().setOpacity(0.3);
        view_->overlays().setMode(OverlayMode::Split);
        QCOMPARE(view_->overlays().dividerX(view_->size()), 256.0);
        for (int y : {20, 100, 360}) {
            QCOMPARE(shownPixel({100, y}), kImage);
            QCOMPARE(shownPixel({250, y}), kImage);
            QCOMPARE(shownPixel({262, y}), qRgb(200, 200, 200));
            QCOMPARE(shownPixel({400, y}), qRgb(200, 200, 200));
        }
    }

    void draggingNearTheDividerMovesItElsewherePans() {
        show();
        view_->overlays().setMode(OverlayMode::Split);
        const QPointF centre = view_->transform().centre;
        QTest::mousePress(view_.get(), Qt::LeftButton, {}, QPoint(260, 100));  // 4 px off
        QTest::mouseMove(view_.get(), QPoint(300, 120));
        QTest::mouseRelease(view_.get(), Qt::LeftButton, {}, QPoint(300, 120));
        QCOMPARE(view_->overlays().divider(), 300.0 / 512);
        QCOMPARE(view_->transform().centre, centre);

        QTest::mousePress(view_.get(), Qt::LeftButton, {}, QPoint(100, 100));
        QTest::mouseMove(view_.get(), QPoint(150, 130));
        QTest::mouseRelease(view_.get(), Qt::LeftButton, {}, QPoint(150, 130));
        QCOMPARE(view_->overlays().divider(), 300.0 / 512);
        QCOMPARE(view_->transform().centre, centre - QPointF(50, 30));

        // In Overlay mode there is no divider: a press on its place pans.
        view_->overlays().setMode(OverlayMode::Overlay);
        QTest::mousePress(view_.get(), Qt::LeftButton, {}, QPoint(300, 100));
        QTest::mouseMove(view_.get(), QPoint(320, 100));
        QTest::mouseRelease(view_.get(), Qt::LeftButton, {}, QPoint(320, 100));
        QCOMPARE(view_->overlays().divider(), 300.0 / 512);
        QCOMPARE(view_->transform().centre, centre - QPointF(70, 30));
    }

    void aboutNamesTheQtAndLibtiffVersions() {
        const QString text = tileflow::gui::aboutText();
        QVERIFY2(text.contains(QString::fromLatin1(qVersion())), qPrintable(text));
        const QString tiff =
            QString::fromLatin1(TIFFGetVersion()).section(QLatin1Char('\n'), 0, 0).trimmed();
        QVERIFY(!tiff.isEmpty());
        QVERIFY2(text.contains(tiff), qPrintable(text));
        QVERIFY2(text.startsWith(QStringLiteral("TileFlow ")), qPrintable(text));
    }

    void geometryAndDocksAreRestoredInTheNextWindow() {
        const QRect geometry(60, 70, 900, 640);
        {
            MainWindow first;
            first.show();
            QVERIFY(QTest::qWaitForWindowExposed(&first));
            first.setGeometry(geometry);
            first.findChild<QDockWidget*>(QStringLiteral("overviewDock"))->hide();
            QVERIFY(first.close());
        }
        MainWindow second;
        QCOMPARE(second.size(), geometry.size());
        QVERIFY(second.findChild<QDockWidget*>(QStringLiteral("overviewDock"))->isHidden());
        QVERIFY(!second.findChild<QDockWidget*>(QStringLiteral("overlayDock"))->isHidden());
        QVERIFY(!second.findChild<QDockWidget*>(QStringLiteral("channelPanel"))->isHidden());
    }

    // The extension's docks, added to a shown window, show on a later turn of the event loop
    // (unless hidden explicitly, as restoreState() does).
    void theExtensionsDocksKeepTheirPlacesAcrossImagesAndRuns() {
        QSettings().clear();  // no layout from an earlier test or run
        const QString image = QStringLiteral("synthetic:320x240x1:u8:1");
        const auto dock = [](const MainWindow& window, const char* panel) {
            return window.findChild<QDockWidget*>(QStringLiteral("dock.") + QLatin1String(panel));
        };
        {
            MainWindow first;
            first.show();
            QVERIFY(QTest::qWaitForWindowExposed(&first));
            QVERIFY(first.openImage(image));
            QVERIFY(first.host()->extension() != nullptr);
            QTRY_VERIFY(!dock(first, "tileflowMemoryPanel")->isHidden());
            dock(first, "tileflowMemoryPanel")->hide();
            QVERIFY(first.openImage(image));  // the extension's docks are made anew
            QTRY_VERIFY(!dock(first, "tileflowProgressPanel")->isHidden());
            QVERIFY(dock(first, "tileflowMemoryPanel")->isHidden());
            QVERIFY(first.close());
        }
        MainWindow second;
        second.show();
        QVERIFY(QTest::qWaitForWindowExposed(&second));
        QVERIFY(second.openImage(image));
        QTRY_VERIFY(!dock(second, "tileflowProgressPanel")->isHidden());
        QVERIFY(dock(second, "tileflowMemoryPanel")->isHidden());
    }
};

QTEST_MAIN(TestViewerOverlay)
#include "test_viewer_overlay.moc"
