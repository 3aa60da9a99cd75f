// Load: eight jobs at once on one image and one shared result cache, as a busy viewer runs
// them: four view jobs (Sobel, Gaussian, percentile stretch, Otsu threshold) chasing rapid
// random view changes and four whole-image jobs (the same operations, over both levels). A
// watchdog fails the test when no job delivers anything for kStallMs while jobs still run.
// At the end no tile is lost or delivered twice (each view job's final view and each image
// job's level are covered exactly once), nothing failed, and memory stayed bounded.
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QTest>
#include <QTimer>
#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "job_test_support.hpp"
#include "sanitizers.hpp"
#include "tileflow/monitors.hpp"
#include "tileflow/plugin/image_job.hpp"
#include "tileflow/plugin/result_cache.hpp"
#include "tileflow/plugin/view_job.hpp"
#include "tileflow/registry.hpp"

using tileflow::plugin::ImageJob;
using tileflow::plugin::ViewJob;
using tileflow::plugin::ViewState;
using tileflow::testing::Delivered;
using tileflow::testing::eachOnceCovering;

namespace {

constexpr int kViewChangesMs = 6000;
constexpr int kStallMs = 20000;
constexpr std::int64_t kTileSide = 128;
const QSize kImage(2048, 1536);

// A two-level pyramid, 2048 x 1536 and 1024 x 768 (downsample 2), two u16 channels.
std::shared_ptr<const tileflow::Source> largePyramid() {
    using tileflow::SyntheticSource;
    using tileflow::SyntheticSpec;
    auto level0 = std::make_shared<const tileflow::Image>(
        SyntheticSource(SyntheticSpec::parse("synthetic:2048x1536x2:u16:5")).render());
    auto level1 = std::make_shared<const tileflow::Image>(
        SyntheticSource(SyntheticSpec::parse("synthetic:1024x768x2:u16:6")).render());
    return std::make_shared<tileflow::plugin::CallbackSource>(
        level0->info(),
        [level0, level1](int level, const tileflow::Rect& region, tileflow::ImageView out) {
            tileflow::copyPixels((level == 0 ? *level0 : *level1).view().region(region), out);
        },
        std::vector<tileflow::SourceLevel>{{{2048, 1536}, 1}, {{1024, 768}, 2}});
}

// The level-0 area of the display tiles of `level` that meet `view`, clipped to the image.
std::int64_t tiledArea(const ViewState& view, int level) {
    const std::int64_t side = kTileSide << level;
    std::int64_t area = 0;
    for (std::int64_t y = view.level0Rect.top() / side * side; y <= view.level0Rect.bottom();
         y += side) {
        for (std::int64_t x = view.level0Rect.left() / side * side; x <= view.level0Rect.right();
             x += side) {
            area += (std::min<std::int64_t>(x + side, kImage.width()) - x) *
                    (std::min<std::int64_t>(y + side, kImage.height()) - y);
        }
    }
    return area;
}

}  // namespace

class TestJobLoad : public QObject {
    Q_OBJECT

private slots:
    void eightJobsWithRapidViewChanges() {
        const auto source = largePyramid();
        const auto cache = std::make_shared<tileflow::plugin::ResultCache>();
        const std::vector<std::pair<const char*, std::map<std::string, std::string>>> operations{
            {"sobel", {}},
            {"gaussian", {{"sigma", "2"}}},
            {"stretch", {}},
            {"threshold", {{"method", "otsu"}}}};
        const std::int64_t rssBefore = tileflow::processMemory()->rssBytes;
        std::int64_t rssPeak = rssBefore;

        QElapsedTimer sinceDelivery;
        sinceDelivery.start();
        QStringList failures;
        std::vector<std::unique_ptr<ViewJob>> viewJobs;
        std::vector<std::vector<Delivered>> viewTiles(operations.size());
        std::vector<quint64> viewFinished(operations.size(), 0);
        std::vector<std::unique_ptr<ImageJob>> imageJobs;
        std::vector<std::vector<Delivered>> imageTiles(operations.size());
        std::vector<int> imageFinished(operations.size(), 0);
        for (std::size_t i = 0; i < operations.size(); ++i) {
            const auto op = tileflow::createOperation(operations[i].first, operations[i].second);
            const std::string key = std::string(operations[i].first) + "#load";
            viewJobs.push_back(std::make_unique<ViewJob>(
                source, op, key, ViewJob::Options{.tileSide = kTileSide, .cache = cache}));
            ViewJob* view = viewJobs.back().get();
            connect(view, &ViewJob::tileReady, this,
                    [&, i](quint64 generation, int level, QRect rect, QImage display,
                           std::shared_ptr<const tileflow::Image> raw) {
                        sinceDelivery.restart();
                        viewTiles[i].push_back(
                            {generation, level, rect, std::move(display), std::move(raw)});
                    });
            connect(view, &ViewJob::finished, this,
                    [&, i, view] { viewFinished[i] = view->generation(); });
            connect(view, &ViewJob::failed, this,
                    [&](const QString& message) { failures << message; });

            // Whole-image jobs alternate between the two levels.
            const int level = static_cast<int>(i % 2);
            imageJobs.push_back(std::make_unique<ImageJob>(
                source, op, key,
                ImageJob::Options{.level = level, .tileSide = kTileSide, .cache = cache}));
            ImageJob* image = imageJobs.back().get();
            connect(image, &ImageJob::tileReady, this,
                    [&, i](quint64 generation, int tileLevel, QRect rect, QImage display,
                           std::shared_ptr<const tileflow::Image> raw) {
                        sinceDelivery.restart();
                        imageTiles[i].push_back(
                            {generation, tileLevel, rect, std::move(display), std::move(raw)});
                    });
            connect(image, &ImageJob::finished, this, [&, i] { ++imageFinished[i]; });
            connect(image, &ImageJob::failed, this,
                    [&](const QString& message) { failures << message; });
            image->start();
        }

        bool stalled = false;
        QTimer watchdog;
        connect(&watchdog, &QTimer::timeout, this, [&] {
            rssPeak = std::max(rssPeak, tileflow::processMemory()->rssBytes);
            if (sinceDelivery.elapsed() > kStallMs)
                stalled = true;
        });
        watchdog.start(200);

        // Rapid view changes: a new random view for every view job every 20 ms.
        QRandomGenerator random(7);
        std::vector<ViewState> last(operations.size());
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < kViewChangesMs && !stalled) {
            for (std::size_t i = 0; i < viewJobs.size(); ++i) {
                const int x = random.bounded(kImage.width() - 64);
                const int y = random.bounded(kImage.height() - 64);
                last[i] = {QRect(x, y, 64 + random.bounded(std::min(900, kImage.width() - x - 63)),
                                 64 + random.bounded(std::min(700, kImage.height() - y - 63))),
                           random.bounded(2)};
                viewJobs[i]->setView(last[i]);
            }
            QTest::qWait(20);
        }

        const auto allDone = [&] {
            for (std::size_t i = 0; i < operations.size(); ++i) {
                if (viewFinished[i] != viewJobs[i]->generation() || imageFinished[i] != 1)
                    return false;
            }
            return true;
        };
        while (!allDone() && !stalled && failures.isEmpty())
            QTest::qWait(50);
        watchdog.stop();
        QVERIFY2(!stalled, "no job delivered anything for 20 s while jobs were running");
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join('\n')));

        for (std::size_t i = 0; i < operations.size(); ++i) {
            const char* name = operations[i].first;
            std::vector<Delivered> final;
            for (const Delivered& t : viewTiles[i]) {
                if (t.generation == viewJobs[i]->generation())
                    final.push_back(t);
            }
            QVERIFY2(eachOnceCovering(final, tiledArea(last[i], last[i].level)), name);
            QVERIFY2(
                eachOnceCovering(imageTiles[i], std::int64_t{kImage.width()} * kImage.height()),
                name);
        }
        const double grownMiB = static_cast<double>(rssPeak - rssBefore) / (1 << 20);
        qInfo("8 jobs: peak RSS %.0f MiB above the start, result cache %.0f MiB", grownMiB,
              static_cast<double>(cache->heldBytes()) / (1 << 20));
        // The cache is bounded at 128 MiB; jobs hold a few chunks each. ASan keeps freed
        // memory in quarantine (256 MiB) and adds its shadow; TSan's shadow is four times the
        // memory it covers.
        using namespace tileflow::testing;
        constexpr double kBoundMiB = kAddressSanitizer ? 1536 : kThreadSanitizer ? 4 * 768 : 768;
        QVERIFY2(grownMiB < kBoundMiB, qPrintable(QString::number(grownMiB)));
    }
};

QTEST_MAIN(TestJobLoad)
#include "test_job_load.moc"
