// ViewJob: the tiles of the view, computed on worker threads, delivered once each on the GUI
// thread, equal to the batch engine's result, stale generations dropped, cancel in a tile.
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QtTest>
#include <chrono>
#include <utility>

#include "job_test_support.hpp"
#include "tileflow/error.hpp"
#include "tileflow/plugin/callback_source.hpp"
#include "tileflow/plugin/view_job.hpp"
#include "tileflow/registry.hpp"

using namespace tileflow;
using namespace tileflow::plugin;
using namespace tileflow::testing;

namespace {

// Records what a job emits, and whether every handler ran on the GUI thread.
class Recorder {
public:
    explicit Recorder(ViewJob& job) {
        auto onGui = [this] {
            if (QThread::currentThread() != qApp->thread())
                ++offGuiThread;
        };
        QObject::connect(&job, &ViewJob::tileReady, &job,
                         [this, onGui, &job](quint64 g, int level, QRect r, QImage display,
                                             std::shared_ptr<const Image> raw) {
                             onGui();
                             if (g != job.generation())
                                 ++stale;
                             tiles.push_back({g, level, r, std::move(display), std::move(raw)});
                         });
        QObject::connect(&job, &ViewJob::progress, &job, [this, onGui](JobProgress p) {
            onGui();
            progress.push_back(p);
        });
        QObject::connect(&job, &ViewJob::memorySample, &job, [this, onGui](MemorySample s) {
            onGui();
            memory.push_back(s);
        });
        QObject::connect(&job, &ViewJob::finished, &job, [this, onGui, &job] {
            onGui();
            ++finished;
            finishedGeneration = job.generation();
        });
        QObject::connect(&job, &ViewJob::failed, &job, [this, onGui](const QString& message) {
            onGui();
            failures.push_back(message);
        });
        QObject::connect(&job, &ViewJob::cancelled, &job, [this, onGui] {
            onGui();
            ++cancelled;
        });
    }

    std::vector<Delivered> tilesOf(quint64 generation) const {
        std::vector<Delivered> found;
        for (const Delivered& t : tiles) {
            if (t.generation == generation)
                found.push_back(t);
        }
        return found;
    }

    std::vector<Delivered> tiles;
    std::vector<JobProgress> progress;
    std::vector<MemorySample> memory;
    std::vector<QString> failures;
    int finished = 0;
    quint64 finishedGeneration = 0;
    int cancelled = 0;
    int stale = 0;
    int offGuiThread = 0;
};

}  // namespace

class TestViewJob : public QObject {
    Q_OBJECT

private slots:
    void init() { QTest::failOnWarning(QRegularExpression(".*")); }

    void deliversEveryTileOnceAlsoFromTheCache() {
        auto source = pyramid();
        auto op = std::make_shared<SlowCopy>(std::chrono::milliseconds(0));
        ViewJob job(source, op, "slow-copy", {.tileSide = 128, .threads = 2});
        Recorder seen(job);

        job.setView({QRect(0, 0, 1000, 700), 0});
        QTRY_COMPARE_WITH_TIMEOUT(seen.finished, 1, kTimeoutMs);
        const auto first = seen.tilesOf(1);
        QCOMPARE(first.size(), std::size_t{8} * 6);
        QVERIFY(eachOnceCovering(first, std::int64_t{1000} * 700));
        QCOMPARE(op->calls.load(), 8 * 6);

        // The same view again: a new generation served from the warm cache.
        job.setView({QRect(0, 0, 1000, 700), 0});
        QTRY_COMPARE_WITH_TIMEOUT(seen.finished, 2, kTimeoutMs);
        const auto second = seen.tilesOf(2);
        QCOMPARE(second.size(), std::size_t{8} * 6);
        QVERIFY(eachOnceCovering(second, std::int64_t{1000} * 700));
        QCOMPARE(op->calls.load(), 8 * 6);
        QVERIFY(job.cache()->heldBytes() > 0);

        // Part of the reduced level: tiles 128 level pixels wide, 256 at level 0.
        // Level pixels [150, 500) x [150, 350): columns 1..3 and rows 1..2, clipped at the
        // border; at level 0 from (256, 256) to the image's corner.
        job.setView({QRect(300, 300, 700, 400), 1});
        QTRY_COMPARE_WITH_TIMEOUT(seen.finished, 3, kTimeoutMs);
        const auto third = seen.tilesOf(3);
        QCOMPARE(third.size(), std::size_t{3} * 2);
        QVERIFY(eachOnceCovering(third, std::int64_t{744} * 444));
        for (const Delivered& t : third)
            QCOMPARE(t.level, 1);
        QVERIFY(seen.failures.empty());
        QCOMPARE(seen.stale, 0);
    }

    void servesTheCentreFirst() {
        auto op = std::make_shared<SlowCopy>(std::chrono::milliseconds(0));
        ViewJob job(pyramid(), op, "slow-copy", {.tileSide = 100, .threads = 1});
        Recorder seen(job);
        job.setView({QRect(0, 0, 1000, 700), 0});
        QTRY_COMPARE_WITH_TIMEOUT(seen.finished, 1, kTimeoutMs);
        QCOMPARE(seen.tiles.front().level0Rect, QRect(400, 300, 100, 100));
        const QRect last = seen.tiles.back().level0Rect;
        QVERIFY(last.x() == 0 || last.x() == 900);
        QVERIFY(last.y() == 0 || last.y() == 600);
    }

    void progressIsMonotonicAndEndsAtTotal() {
        ViewJob job(pyramid(), createOperation("sobel"), "sobel", {.tileSide = 96, .threads = 2});
        Recorder seen(job);
        job.setView({QRect(100, 50, 800, 600), 0});
        QTRY_COMPARE_WITH_TIMEOUT(seen.finished, 1, kTimeoutMs);
        QVERIFY(seen.progress.size() >= 2);
        const qint64 total = seen.progress.front().total;
        QCOMPARE(total, qint64(seen.tiles.size()));
        for (std::size_t i = 1; i < seen.progress.size(); ++i) {
            QCOMPARE(seen.progress[i].total, total);
            QVERIFY(seen.progress[i].done >= seen.progress[i - 1].done);
            QVERIFY(seen.progress[i].elapsedSeconds >= seen.progress[i - 1].elapsedSeconds);
        }
        QCOMPARE(seen.progress.back().done, total);
        QVERIFY(seen.progress.back().etaSeconds == std::optional<double>(0.0));
        QVERIFY(seen.progress.back().megapixelsPerSecond > 0);
        QVERIFY(!seen.memory.empty());
        QVERIFY(seen.memory.back().cacheBytes > 0);
        QVERIFY(seen.memory.back().process.has_value());
    }

    void cancelTakesEffectWithinATile() {
        auto op = std::make_shared<SlowCopy>(std::chrono::milliseconds(20));
        ViewJob job(pyramid(), op, "slow-copy", {.tileSide = 64, .threads = 2});
        Recorder seen(job);
        job.setView({QRect(0, 0, 1000, 700), 0});  // 176 tiles, about 1.8 s on two threads
        QTRY_VERIFY_WITH_TIMEOUT(seen.tiles.size() >= 5, kTimeoutMs);
        QElapsedTimer clock;
        qint64 latency = -1;
        connect(&job, &ViewJob::cancelled, this, [&] { latency = clock.elapsed(); });
        clock.start();
        job.cancel();
        const std::size_t deliveredAtCancel = seen.tiles.size();
        QTRY_COMPARE_WITH_TIMEOUT(seen.cancelled, 1, kTimeoutMs);
        qInfo("view job cancel latency: %lld ms (tiles take 20 ms)", latency);
        QVERIFY(latency < 1000);
        QCOMPARE(seen.tiles.size(), deliveredAtCancel);
        const int callsAtCancelled = op->calls.load();
        QTest::qWait(100);
        QCOMPARE(op->calls.load(), callsAtCancelled);  // the workers are idle
        QCOMPARE(seen.tiles.size(), deliveredAtCancel);
        QCOMPARE(seen.finished, 0);
    }

    void rapidViewChangesDropStaleGenerations() {
        auto op = std::make_shared<SlowCopy>(std::chrono::milliseconds(2));
        ViewJob job(pyramid(), op, "slow-copy", {.tileSide = 64, .threads = 2});
        Recorder seen(job);
        QRandomGenerator random(42);
        ViewState last;
        for (int i = 0; i < 300; ++i) {
            const int x = random.bounded(900), y = random.bounded(600);
            last = {QRect(x, y, 1 + random.bounded(1000 - x), 1 + random.bounded(700 - y)),
                    random.bounded(2)};
            job.setView(last);
            if (i % 3 == 0)
                QCoreApplication::processEvents();  // let some tiles of this view arrive
            if (i % 50 == 0)
                QTest::qWait(5);
        }
        const quint64 final = job.generation();
        QCOMPARE(final, quint64{300});
        QTRY_COMPARE_WITH_TIMEOUT(seen.finishedGeneration, final, kTimeoutMs);
        QTest::qWait(50);  // nothing else may follow
        QCOMPARE(seen.stale, 0);
        QVERIFY(seen.failures.empty());
        QVERIFY(seen.tiles.size() > seen.tilesOf(final).size());  // earlier views got tiles too

        // The final view is complete: the same tiles a fresh job delivers for it.
        ViewJob fresh(pyramid(), op, "slow-copy", {.tileSide = 64, .threads = 2});
        Recorder reference(fresh);
        fresh.setView(last);
        QTRY_COMPARE_WITH_TIMEOUT(reference.finished, 1, kTimeoutMs);
        std::int64_t area = 0;
        for (const Delivered& t : reference.tiles)
            area += std::int64_t{t.level0Rect.width()} * t.level0Rect.height();
        QVERIFY(eachOnceCovering(seen.tilesOf(final), area));
        QCOMPARE(seen.tilesOf(final).size(), reference.tiles.size());
        QCOMPARE(seen.progress.back().done, qint64(reference.tiles.size()));
    }

    void resultsEqualTheBatchEngine_data() {
        QTest::addColumn<QString>("operation");
        QTest::addColumn<int>("level");
        QTest::addColumn<QRect>("view");
        QTest::newRow("sobel level 0") << "sobel" << 0 << QRect(130, 70, 700, 500);
        QTest::newRow("sobel level 1") << "sobel" << 1 << QRect(0, 0, 1000, 700);
        QTest::newRow("stretch level 0") << "stretch" << 0 << QRect(500, 400, 300, 200);
        QTest::newRow("stretch level 1") << "stretch" << 1 << QRect(200, 100, 600, 500);
    }

    void resultsEqualTheBatchEngine() {
        QFETCH(QString, operation);
        QFETCH(int, level);
        QFETCH(QRect, view);
        auto source = pyramid();
        auto op = createOperation(operation.toStdString());
        ViewJob job(source, op, operation.toStdString(), {.tileSide = 100, .threads = 2});
        Recorder seen(job);
        job.setView({view, level});
        QTRY_COMPARE_WITH_TIMEOUT(seen.finished, 1, kTimeoutMs);
        QVERIFY(seen.failures.empty());
        const Image expected = batch(*source, level, op);
        QVERIFY(!seen.tiles.empty());
        for (const Delivered& t : seen.tiles) {
            QCOMPARE(t.level, level);
            QVERIFY(samePixels(*t.raw, expected.view().region(levelRect(t))));
            QCOMPARE(t.display.size(), QSize(int(t.raw->width()), int(t.raw->height())));
            QCOMPARE(t.display.format(), QImage::Format_Grayscale8);
        }
    }

    void signalsArriveOnTheGuiThread() {
        // Every handler of every test checks its thread; here all signals are exercised.
        auto op = std::make_shared<SlowCopy>(std::chrono::milliseconds(5));
        ViewJob job(pyramid(), op, "slow-copy", {.tileSide = 128, .threads = 2});
        Recorder seen(job);
        job.setView({QRect(0, 0, 1000, 700), 0});
        QTRY_COMPARE_WITH_TIMEOUT(seen.finished, 1, kTimeoutMs);
        job.setView({QRect(0, 0, 1000, 700), 1});
        job.cancel();
        QTRY_COMPARE_WITH_TIMEOUT(seen.cancelled, 1, kTimeoutMs);
        job.setView({QRect(0, 0, 10, 10), 5});
        QTRY_COMPARE_WITH_TIMEOUT(seen.failures.size(), std::size_t{1}, kTimeoutMs);
        QVERIFY(seen.failures.front().contains("level 5"));
        QVERIFY(!seen.tiles.empty() && !seen.progress.empty() && !seen.memory.empty());
        QCOMPARE(seen.offGuiThread, 0);
    }

    void aFailingTileFailsTheGeneration() {
        // A source whose reads fail.
        auto broken = std::make_shared<CallbackSource>(
            ImageInfo{{300, 300}, 1, DType::U8},
            [](int, const Rect&, ImageView) { throw IoError("disk on fire"); });
        ViewJob job(broken, createOperation("sobel"), "sobel", {.tileSide = 100, .threads = 2});
        Recorder seen(job);
        job.setView({QRect(0, 0, 300, 300), 0});
        QTRY_COMPARE_WITH_TIMEOUT(seen.failures.size(), std::size_t{1}, kTimeoutMs);
        QVERIFY(seen.failures.front().contains("disk on fire"));
        QTest::qWait(50);
        QCOMPARE(seen.failures.size(), std::size_t{1});
        QCOMPARE(seen.finished, 0);
    }

    void displayMappingFollowsRangesAndChannels() {
        Image rgb(DType::U8, 3, 2, 1);
        for (int c = 0; c < 3; ++c) {
            rgb.view().row<std::uint8_t>(c, 0)[0] = static_cast<std::uint8_t>(10 * (c + 1));
            rgb.view().row<std::uint8_t>(c, 0)[1] = 255;
        }
        const QImage colour = DisplayMapping().toImage(rgb);
        QCOMPARE(colour.format(), QImage::Format_RGB888);
        QCOMPARE(colour.pixel(0, 0), qRgb(10, 20, 30));

        Image grey(DType::F32, 2, 3, 1);
        float* row = grey.view().row<float>(0, 0);
        row[0] = -1.0f;
        row[1] = 0.5f;
        row[2] = std::numeric_limits<float>::quiet_NaN();
        DisplayMapping mapping;
        QCOMPARE(mapping.toImage(grey).format(), QImage::Format_Grayscale8);
        QCOMPARE(qGray(mapping.toImage(grey).pixel(1, 0)), 128);
        QCOMPARE(qGray(mapping.toImage(grey).pixel(0, 0)), 0);
        QCOMPARE(qGray(mapping.toImage(grey).pixel(2, 0)), 0);
        mapping.setRange(0, {0, 0.5});
        QCOMPARE(qGray(mapping.toImage(grey).pixel(1, 0)), 255);
        QVERIFY(DisplayMapping::defaultRange(DType::U16) == (DisplayRange{0, 65535}));
    }

    void destroyingARunningJobJoinsQuietly() {
        auto op = std::make_shared<SlowCopy>(std::chrono::milliseconds(20));
        auto job = std::make_unique<ViewJob>(pyramid(), op, "slow-copy",
                                             ViewJob::Options{.tileSide = 64, .threads = 2});
        job->setView({QRect(0, 0, 1000, 700), 0});
        QTest::qWait(50);
        QElapsedTimer clock;
        clock.start();
        job.reset();
        QVERIFY(clock.elapsed() < 1000);
        const int calls = op->calls.load();
        QTest::qWait(50);
        QCOMPARE(op->calls.load(), calls);
    }
};

QTEST_MAIN(TestViewJob)
#include "test_view_job.moc"
