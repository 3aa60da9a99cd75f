// ImageJob: a whole level through the engine on a worker thread, into the layer or a sink;
// every tile once, progress to the total, cancel within a tile, the batch engine's pixels.
#include <QDir>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>
#include <chrono>
#include <utility>

#include "job_test_support.hpp"
#include "tileflow/engine.hpp"
#include "tileflow/error.hpp"
#include "tileflow/open.hpp"
#include "tileflow/plugin/callback_source.hpp"
#include "tileflow/plugin/image_job.hpp"
#include "tileflow/plugin/view_job.hpp"
#include "tileflow/registry.hpp"

using namespace tileflow;
using namespace tileflow::plugin;
using namespace tileflow::testing;

namespace {

// Records what a job emits, in order, and whether every handler ran on the GUI thread.
class Recorder {
public:
    explicit Recorder(ImageJob& job) {
        auto onGui = [this] {
            ++events;
            if (QThread::currentThread() != qApp->thread())
                ++offGuiThread;
        };
        QObject::connect(&job, &ImageJob::tileReady, &job,
                         [this, onGui](quint64 g, int level, QRect r, QImage display,
                                       std::shared_ptr<const Image> raw) {
                             onGui();
                             tiles.push_back({g, level, r, std::move(display), std::move(raw)});
                         });
        QObject::connect(&job, &ImageJob::progress, &job, [this, onGui](JobProgress p) {
            onGui();
            progress.push_back(p);
            lastProgressAt = events;
        });
        QObject::connect(&job, &ImageJob::memorySample, &job, [this, onGui](MemorySample s) {
            onGui();
            memory.push_back(s);
        });
        QObject::connect(&job, &ImageJob::finished, &job, [this, onGui] {
            onGui();
            ++finished;
            endedAt = events;
        });
        QObject::connect(&job, &ImageJob::failed, &job, [this, onGui](const QString& message) {
            onGui();
            failures.push_back(message);
            endedAt = events;
        });
        QObject::connect(&job, &ImageJob::cancelled, &job, [this, onGui] {
            onGui();
            ++cancelled;
            endedAt = events;
        });
    }

    int ends() const { return finished + cancelled + static_cast<int>(failures.size()); }

    std::vector<Delivered> tiles;
    std::vector<JobProgress> progress;
    std::vector<MemorySample> memory;
    std::vector<QString> failures;
    int finished = 0;
    int cancelled = 0;
    int events = 0;
    int lastProgressAt = 0;
    int endedAt = 0;
    int offGuiThread = 0;
};

ImageJob::Options layerOptions(int level) {
    return {.level = level,
            .engine = {.tile = {128, 128}, .chunk = {256, 256}, .threads = 2},
            .tileSide = 128};
}

}  // namespace

class TestImageJob : public QObject {
    Q_OBJECT

private slots:
    void init() { QTest::failOnWarning(QRegularExpression(".*")); }

    void layerGetsEveryTileOnce_data() {
        QTest::addColumn<int>("level");
        QTest::addColumn<int>("tiles");
        QTest::newRow("level 0") << 0 << 8 * 6;
        QTest::newRow("level 1") << 1 << 4 * 3;
    }

    void layerGetsEveryTileOnce() {
        QFETCH(int, level);
        QFETCH(int, tiles);
        ImageJob job(pyramid(), createOperation("sobel"), "sobel", layerOptions(level));
        Recorder seen(job);
        job.start();
        QTRY_COMPARE_WITH_TIMEOUT(seen.ends(), 1, kTimeoutMs);
        QCOMPARE(seen.finished, 1);
        QCOMPARE(int(seen.tiles.size()), tiles);
        QVERIFY(eachOnceCovering(seen.tiles, std::int64_t{1000} * 700));
        for (const Delivered& t : seen.tiles) {
            QCOMPARE(t.generation, quint64{0});
            QCOMPARE(t.level, level);
        }
        QCOMPARE(seen.offGuiThread, 0);
    }

    void progressIsMonotonicAndEndsAtTotal() {
        // Stretch has a statistics pass: progress counts both passes.
        ImageJob job(pyramid(), createOperation("stretch"), "stretch", layerOptions(0));
        Recorder seen(job);
        job.start();
        QTRY_COMPARE_WITH_TIMEOUT(seen.ends(), 1, kTimeoutMs);
        QCOMPARE(seen.finished, 1);
        QVERIFY(seen.progress.size() >= 2);
        const qint64 total = seen.progress.front().total;
        QCOMPARE(total, qint64{2} * 8 * 6);
        for (std::size_t i = 1; i < seen.progress.size(); ++i) {
            QCOMPARE(seen.progress[i].total, total);
            QVERIFY(seen.progress[i].done >= seen.progress[i - 1].done);
        }
        QCOMPARE(seen.progress.back().done, total);
        QVERIFY(seen.progress.back().etaSeconds == std::optional<double>(0.0));
        QVERIFY(seen.lastProgressAt < seen.endedAt);
        QVERIFY(!seen.memory.empty());
        QVERIFY(seen.memory.back().process.has_value());
        qint64 engineBytes = 0;
        for (const MemorySample& m : seen.memory)
            engineBytes = std::max(engineBytes, m.engineBytes);
        QVERIFY(engineBytes > 0);
        QCOMPARE(seen.offGuiThread, 0);
    }

    void resultsEqualTheBatchEngine_data() {
        QTest::addColumn<QString>("operation");
        QTest::addColumn<int>("level");
        QTest::newRow("sobel level 0") << "sobel" << 0;
        QTest::newRow("sobel level 1") << "sobel" << 1;
        QTest::newRow("stretch level 0") << "stretch" << 0;
        QTest::newRow("stretch level 1") << "stretch" << 1;
    }

    void resultsEqualTheBatchEngine() {
        QFETCH(QString, operation);
        QFETCH(int, level);
        auto source = pyramid();
        auto op = createOperation(operation.toStdString());
        const Image expected = batch(*source, level, op);

        ImageJob layer(source, op, operation.toStdString(), layerOptions(level));
        Recorder seen(layer);
        layer.start();

        auto memory = std::make_unique<MemorySink>();
        MemorySink* exported = memory.get();
        ImageJob exporting(source, op, std::move(memory), {.level = level});
        Recorder exportSeen(exporting);
        exporting.start();

        QTRY_COMPARE_WITH_TIMEOUT(seen.finished, 1, kTimeoutMs);
        QVERIFY(!seen.tiles.empty());
        for (const Delivered& t : seen.tiles)
            QVERIFY(samePixels(*t.raw, expected.view().region(levelRect(t))));
        QTRY_COMPARE_WITH_TIMEOUT(exportSeen.finished, 1, kTimeoutMs);
        QVERIFY(exportSeen.tiles.empty());
        QVERIFY(samePixels(exported->take(), expected));
    }

    void cancelTakesEffectWithinATile() {
        auto op = std::make_shared<SlowCopy>(std::chrono::milliseconds(20));
        ImageJob job(pyramid(), op, "slow-copy",
                     {.engine = {.tile = {64, 64}, .threads = 2}, .tileSide = 64});
        Recorder seen(job);
        job.start();  // 176 tiles, about 1.8 s on two threads
        QTRY_VERIFY_WITH_TIMEOUT(!seen.progress.empty() && seen.progress.back().done >= 4,
                                 kTimeoutMs);
        QElapsedTimer clock;
        qint64 latency = -1;
        connect(&job, &ImageJob::cancelled, this, [&] { latency = clock.elapsed(); });
        clock.start();
        job.cancel();
        QTRY_COMPARE_WITH_TIMEOUT(seen.cancelled, 1, kTimeoutMs);
        qInfo("image job cancel latency: %lld ms (tiles take 20 ms)", latency);
        QVERIFY(latency < 1000);
        QVERIFY(op->calls.load() < 176);
        QTest::qWait(50);
        QCOMPARE(seen.ends(), 1);
        QCOMPARE(seen.finished, 0);
        QCOMPARE(seen.offGuiThread, 0);
    }

    void cancelledExportLeavesNoFile() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string path = dir.filePath("out.tif").toStdString();

        auto op = std::make_shared<SlowCopy>(std::chrono::milliseconds(10));
        ImageJob cancelledJob(pyramid(), op, createSink(path),
                              {.engine = {.tile = {64, 64}, .threads = 2}});
        Recorder seen(cancelledJob);
        cancelledJob.start();
        QTRY_VERIFY_WITH_TIMEOUT(op->calls.load() >= 4, kTimeoutMs);
        cancelledJob.cancel();
        QTRY_COMPARE_WITH_TIMEOUT(seen.cancelled, 1, kTimeoutMs);
        QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot),
                 QStringList());

        // The same export, not cancelled, writes the file.
        ImageJob completeJob(pyramid(), createOperation("copy"), createSink(path));
        Recorder completeSeen(completeJob);
        completeJob.start();
        QTRY_COMPARE_WITH_TIMEOUT(completeSeen.finished, 1, kTimeoutMs);
        QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot),
                 QStringList{"out.tif"});
    }

    void layerTilesServeAViewJobFromTheSharedCache() {
        auto source = pyramid();
        auto op = std::make_shared<SlowCopy>(std::chrono::milliseconds(0));
        auto cache = std::make_shared<ResultCache>();
        ImageJob::Options options = layerOptions(0);
        options.cache = cache;
        ImageJob job(source, op, "slow-copy", options);
        Recorder seen(job);
        job.start();
        QTRY_COMPARE_WITH_TIMEOUT(seen.finished, 1, kTimeoutMs);
        QCOMPARE(op->calls.load(), 8 * 6);

        ViewJob view(source, op, "slow-copy", {.tileSide = 128, .threads = 1, .cache = cache});
        int viewTiles = 0;
        bool viewFinished = false;
        connect(&view, &ViewJob::tileReady, this, [&] { ++viewTiles; });
        connect(&view, &ViewJob::finished, this, [&] { viewFinished = true; });
        view.setView({QRect(0, 0, 1000, 700), 0});
        QTRY_VERIFY_WITH_TIMEOUT(viewFinished, kTimeoutMs);
        QCOMPARE(viewTiles, 8 * 6);
        QCOMPARE(op->calls.load(), 8 * 6);  // nothing computed again
    }

    void failuresAreReported() {
        auto broken = std::make_shared<CallbackSource>(
            ImageInfo{{300, 300}, 1, DType::U8},
            [](int, const Rect&, ImageView) { throw IoError("disk on fire"); });
        ImageJob job(broken, createOperation("sobel"), "sobel");
        Recorder seen(job);
        job.start();
        QTRY_COMPARE_WITH_TIMEOUT(seen.ends(), 1, kTimeoutMs);
        QCOMPARE(seen.failures.size(), std::size_t{1});
        QVERIFY(seen.failures.front().contains("disk on fire"));
        QCOMPARE(seen.offGuiThread, 0);
    }

    void refusesWhatCannotRun() {
        QVERIFY_THROWS_EXCEPTION(
            InvalidArgument, ImageJob(pyramid(), createOperation("sobel"), "sobel", {.level = 2}));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, ImageJob(pyramid(), createOperation("sobel"),
                                                           std::unique_ptr<Sink>()));
    }

    void destroyingARunningJobJoinsQuietly() {
        auto op = std::make_shared<SlowCopy>(std::chrono::milliseconds(20));
        auto job = std::make_unique<ImageJob>(
            pyramid(), op, "slow-copy",
            ImageJob::Options{.engine = {.tile = {64, 64}, .threads = 2}, .tileSide = 64});
        job->start();
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

QTEST_MAIN(TestImageJob)
#include "test_image_job.moc"
