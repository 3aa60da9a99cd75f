// The viewer with real files and real processing: every kind of file the I/O layer reads
// opens and settles into a covered view; processing the view of an image without a pyramid
// works on the reduced level shown and equals the batch engine there; the GUI thread stays
// responsive while a whole-image job runs, and Cancel stops it.
#include <QCheckBox>
#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QLabel>
#include <QPushButton>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

#include "gui/display_source.hpp"
#include "gui/main_window.hpp"
#include "gui/slide_view.hpp"
#include "gui/viewer_host.hpp"
#include "main_window_helpers.hpp"
#include "test_images.hpp"
#include "tileflow/engine.hpp"
#include "tileflow/open.hpp"
#include "tileflow/plugin/display_mapping.hpp"
#include "tileflow/registry.hpp"
#include "tileflow/source_views.hpp"

using tileflow::gui::MainWindow;
using tileflow::gui::SlideView;

namespace {

const QString kSobelLayer = QStringLiteral("tileflow:sobel");
const QRgb kBackground = qRgb(40, 40, 40);

// Writes `image` to `path` through the library's sink for that kind of file.
void writeImage(const tileflow::Image& image, const QString& path) {
    auto sink = tileflow::createSink(path.toStdString());
    sink->begin(image.info());
    sink->write(tileflow::rectOf(image.size()), image.view());
    sink->commit();
}

// True when every tile of the level the view draws from that meets the view is loaded.
bool settled(const SlideView& view) {
    const auto keys =
        view.pyramid()->tilesMeeting(view.currentLevel(), view.transform().visibleLevel0());
    return std::all_of(keys.begin(), keys.end(),
                       [&](const auto& key) { return view.cache().contains(key); });
}

double percentile(std::vector<qint64> values, double p) {
    std::sort(values.begin(), values.end());
    const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size())));
    return static_cast<double>(values.at(std::max<std::size_t>(rank, 1) - 1));
}

}  // namespace

class TestViewerProcessing : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<MainWindow> window_;
    QStringList errors_;
    QStringList tileFailures_;

    void open(const QString& name) {
        tileflow::testing::openWindow(window_, name, errors_, {1024, 768});
        connect(window_->slideView(), &SlideView::tileFailed, this,
                [this](const QString& message) { tileFailures_ << message; });
    }

    template <typename Widget>
    Widget* widget(const QString& name) {
        return tileflow::testing::childNamed<Widget>(*window_, name);
    }

    void selectOperation(const QString& id) { tileflow::testing::selectOperation(*window_, id); }

    void click(const QString& buttonName) {
        QTest::mouseClick(widget<QPushButton>(buttonName), Qt::LeftButton);
    }

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        qputenv("TILEFLOW_PLUGIN_PATH", TILEFLOW_PLUGIN_DIR);
    }

    void cleanup() {
        window_.reset();
        errors_.clear();
        tileFailures_.clear();
    }

    void opensEachKindOfFile_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<qint64>("width");
        QTest::addColumn<qint64>("height");
        QTest::addColumn<int>("channels");
        // Files written by the library's own writers, at test time.
        QTest::newRow("pyramidal TIFF")
            << QStringLiteral("written.tif") << qint64{1500} << qint64{1100} << 3;
        QTest::newRow("OME-Zarr") << QStringLiteral("written.zarr") << qint64{700} << qint64{500}
                                  << 5;
        QTest::newRow("npy") << QStringLiteral("written.npy") << qint64{300} << qint64{200} << 1;
        QTest::newRow("synthetic") << QStringLiteral("synthetic:20000x12000x4:u16:3")
                                   << qint64{20000} << qint64{12000} << 4;
        // Files nobody on this team wrote, when the shared test data is there.
        QTest::newRow("Aperio SVS (OpenSlide)")
            << QStringLiteral("$TESTDATA/libvips/CMU-1-Small-Region.svs") << qint64{2220}
            << qint64{2967} << 3;
        // 3 channels x 5 z-planes (tifffile: CZYX); the viewer shows the channels.
        QTest::newRow("OME-TIFF") << QStringLiteral(
                                         "$TESTDATA/libvips/multi-channel-z-series.ome.tif")
                                  << qint64{439} << qint64{167} << 3;
        QTest::newRow("generic tiled TIFF (OpenSlide)")
            << QStringLiteral("$TESTDATA/openslide-python/boxes.tiff") << qint64{300} << qint64{250}
            << 3;
    }

    void opensEachKindOfFile() {
        QFETCH(QString, name);
        QFETCH(qint64, width);
        QFETCH(qint64, height);
        QFETCH(int, channels);
        QTemporaryDir dir;
        if (name.startsWith(QLatin1String("$TESTDATA"))) {
            const QString data = qEnvironmentVariable("TILEFLOW_TESTDATA");
            if (data.isEmpty())
                QSKIP("TILEFLOW_TESTDATA is not set");
            name.replace(QLatin1String("$TESTDATA"), data);
            if (!QFileInfo::exists(name))
                QSKIP(qPrintable(name + QStringLiteral(" is not there")));
        } else if (!name.startsWith(QLatin1String("synthetic:"))) {
            name = dir.filePath(name);
            writeImage(
                tileflow::testing::randomImage(tileflow::DType::U16, channels, width, height, 11),
                name);
        }
        open(name);
        SlideView* view = window_->slideView();
        QCOMPARE(view->source()->info().size.width, width);
        QCOMPARE(view->source()->info().size.height, height);
        QCOMPARE(view->source()->info().channels, channels);
        QTRY_VERIFY_WITH_TIMEOUT(settled(*view), 20000);
        // Zoomed in and panned, the view settles again at the finer level.
        view->setCentreAndScale({static_cast<double>(width) / 3, static_cast<double>(height) / 3},
                                1);
        QTRY_VERIFY_WITH_TIMEOUT(settled(*view), 20000);
        QVERIFY2(tileFailures_.isEmpty(), qPrintable(tileFailures_.join('\n')));
        // The image is drawn where it lies in the window: not the empty background.
        const QImage shown = view->grab().toImage();
        int drawn = 0;
        for (int y = 0; y < shown.height(); y += 16) {
            for (int x = 0; x < shown.width(); x += 16)
                drawn += shown.pixel(x, y) != kBackground;
        }
        QVERIFY2(drawn > 0, "the view shows only background");
    }

    void processingTheViewOfAnImageWithoutAPyramidWorksOnTheLevelShown() {
        // One 8192² level: at fit the view draws a reduced level; processing at level 0
        // would mean 1024 tiles instead of the few the view shows.
        open(QStringLiteral("synthetic:8192x8192x1:u8:5"));
        SlideView* view = window_->slideView();
        QCOMPARE(view->source()->metadata().levels.size(), std::size_t{1});
        const int level = view->currentLevel();
        QVERIFY(level > 0);
        const auto shown = view->pyramid()->tilesMeeting(level, view->transform().visibleLevel0());
        widget<QCheckBox>(QStringLiteral("autoContrast"))->setChecked(false);
        selectOperation(QStringLiteral("sobel"));
        click(QStringLiteral("runView"));
        QTRY_COMPARE_WITH_TIMEOUT(view->overlays().tileCount(kSobelLayer), shown.size(), 20000);

        // Each tile equals the batch engine's Sobel over the whole reduced level, there. The
        // expectation reads the level through DisplaySource too: this checks which level is
        // processed and where its tiles go, not how the level is reduced (test_slide_view).
        const auto source = std::make_shared<tileflow::gui::DisplaySource>(view->source());
        const tileflow::LevelSource levelSource(*source, level);
        const tileflow::Image input = tileflow::readImage(levelSource);
        const tileflow::Image batch =
            tileflow::TileFlow().configure(tileflow::createOperation("sobel")).run(input.view());
        const tileflow::plugin::DisplayMapping mapping;
        for (const auto& key : shown) {
            const tileflow::Rect r = view->pyramid()->tileRect(key);
            const QImage* tile = view->overlays().tile(
                kSobelLayer, view->pyramid()->level0Rect(key).toAlignedRect());
            QVERIFY2(
                tile != nullptr,
                qPrintable(QStringLiteral("no result tile %1,%2").arg(key.column).arg(key.row)));
            QVERIFY(*tile == mapping.toImage(batch.view().region(r)));
        }
    }

    void autoContrastShowsTheResultsRange() {
        // Sobel of a 16-bit image reaches far beyond 1, where the f32 default range ends.
        const auto saturation = [this](bool automatic) {
            open(QStringLiteral("synthetic:2048x2048x1:u16:4"));
            SlideView* view = window_->slideView();
            view->setCentreAndScale({1024, 1024}, 1);
            const auto shown = view->pyramid()->tilesMeeting(0, view->transform().visibleLevel0());
            widget<QCheckBox>(QStringLiteral("autoContrast"))->setChecked(automatic);
            selectOperation(QStringLiteral("sobel"));
            click(QStringLiteral("runView"));
            [&] {
                QTRY_COMPARE_WITH_TIMEOUT(view->overlays().tileCount(kSobelLayer), shown.size(),
                                          20000);
            }();
            std::int64_t white = 0;
            std::int64_t all = 0;
            for (const auto& key : shown) {
                const QImage* tile = view->overlays().tile(
                    kSobelLayer, view->pyramid()->level0Rect(key).toAlignedRect());
                for (int y = 0; tile != nullptr && y < tile->height(); ++y) {
                    const uchar* row = tile->constScanLine(y);
                    white += std::count(row, row + tile->width(), uchar{255});
                    all += tile->width();
                }
            }
            return static_cast<double>(white) / static_cast<double>(std::max<std::int64_t>(all, 1));
        };
        const double fixedRange = saturation(false);
        const double automatic = saturation(true);
        QVERIFY2(fixedRange > 0.5, qPrintable(QString::number(fixedRange)));
        // The 99.9th percentile of the first tile is white; other tiles may have a little more.
        QVERIFY2(automatic > 0 && automatic < 0.05, qPrintable(QString::number(automatic)));
    }

    void theGuiStaysResponsiveWhileAWholeImageJobRuns() {
        open(QStringLiteral("synthetic:4096x4096x4:u16:9"));
        SlideView* view = window_->slideView();
        view->oneToOne();
        QCOMPARE(view->currentLevel(), 0);
        selectOperation(QStringLiteral("sobel"));
        const std::size_t tiles = std::size_t{16} * 16;  // 256-pixel result tiles over level 0

        QElapsedTimer clock;
        clock.start();
        std::vector<qint64> gaps;
        qint64 last = 0;
        QTimer ticker;
        ticker.setInterval(5);
        connect(&ticker, &QTimer::timeout, [&] {
            gaps.push_back(clock.elapsed() - last);
            last = clock.elapsed();
        });
        click(QStringLiteral("runImage"));
        last = clock.elapsed();
        ticker.start();
        // Pan while the job runs, as a user would, until every tile has arrived; the deadline
        // only guards against a hang (under ASan on a busy machine the job takes over 30 s).
        const QDeadlineTimer hang(std::chrono::minutes(5));
        for (int step = 0; view->overlays().tileCount(kSobelLayer) < tiles && !hang.hasExpired();
             ++step) {
            view->setCentreAndScale({500.0 + 7 * (step % 400), 400.0 + 5 * (step % 300)}, 1);
            QTest::qWait(50);
        }
        ticker.stop();
        QCOMPARE(view->overlays().tileCount(kSobelLayer), tiles);
        const double p99 = percentile(gaps, 0.99) - ticker.interval();
        const double worst = percentile(gaps, 1.0) - ticker.interval();
        qInfo("event-loop latency over %zu ticks while the job ran: p99 %.0f ms, max %.0f ms",
              gaps.size(), p99, worst);
        // A frozen window, not a slow machine, is what this catches.
        QVERIFY2(worst < 1000, qPrintable(QString::number(worst)));
    }

    void cancelStopsAWholeImageJob() {
        open(QStringLiteral("synthetic:8192x8192x4:u16:9"));
        SlideView* view = window_->slideView();
        view->oneToOne();
        selectOperation(QStringLiteral("sobel"));
        click(QStringLiteral("runImage"));
        QTRY_VERIFY_WITH_TIMEOUT(view->overlays().tileCount(kSobelLayer) > 0, 20000);
        click(QStringLiteral("cancel"));
        // Once the progress panel says the job was cancelled, no tile arrives any more.
        QTRY_VERIFY_WITH_TIMEOUT(
            [this] {
                for (const QLabel* label : window_->findChildren<QLabel*>()) {
                    if (label->objectName().startsWith(QLatin1String("figures.")) &&
                        label->text().startsWith(QLatin1String("cancelled")))
                        return true;
                }
                return false;
            }(),
            30000);
        const std::size_t afterCancel = view->overlays().tileCount(kSobelLayer);
        QTest::qWait(1000);
        QCOMPARE(view->overlays().tileCount(kSobelLayer), afterCancel);
        QVERIFY(afterCancel < std::size_t{32} * 32);
    }
};

QTEST_MAIN(TestViewerProcessing)
#include "test_viewer_processing.moc"
