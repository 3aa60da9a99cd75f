// The engine: seamless crop reconstruction, chunked == direct, blend continuity, callbacks,
// cancellation, error reporting and argument checking.
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <mutex>
#include <numeric>
#include <optional>
#include <thread>
#include <vector>

#include "test_images.hpp"
#include "tileflow/engine.hpp"
#include "tileflow/error.hpp"
#include "tileflow/npy.hpp"
#include "tileflow/registry.hpp"
#include "tileflow/synthetic.hpp"

using namespace tileflow;
using tileflow::testing::at;
using tileflow::testing::randomImage;

namespace {

// Whole-image reference: one tile covering everything, no chunking.
Image wholeImage(const std::shared_ptr<const Operation>& op, ConstImageView in) {
    const std::int64_t side = std::max({in.width(), in.height(), std::int64_t{op->radius()} + 1});
    return TileFlow({.tile = {side, side}}).configure(op).run(in);
}

// Non-local test operation: every output pixel is the mean of the tile's input halo.
class TileMean final : public Operation {
public:
    std::string_view id() const override { return "tile-mean"; }
    int radius() const override { return 0; }
    ImageInfo outputInfo(const ImageInfo& in) const override { return {in.size, 1, DType::F32}; }
    void process(ConstImageView in, const Rect&, ImageView out, const Rect& outRect,
                 const StatisticsList&) const override {
        double sum = 0;
        for (std::int64_t y = 0; y < in.height(); ++y) {
            for (std::int64_t x = 0; x < in.width(); ++x)
                sum += in.row<float>(0, y)[x];
        }
        const auto mean = static_cast<float>(sum / static_cast<double>(in.width() * in.height()));
        for (std::int64_t y = 0; y < outRect.height; ++y) {
            for (std::int64_t x = 0; x < outRect.width; ++x)
                out.row<float>(0, y)[x] = mean;
        }
    }
};

// Copies input to output; fails on the tile whose core contains `failAt`.
class Identity final : public Operation {
public:
    explicit Identity(std::int64_t radius = 0, Rect failAt = {-1, -1, 1, 1})
        : radius_(radius), failAt_(failAt) {}
    std::string_view id() const override { return "identity"; }
    int radius() const override { return static_cast<int>(radius_); }
    ImageInfo outputInfo(const ImageInfo& in) const override { return in; }
    void process(ConstImageView in, const Rect& inRect, ImageView out, const Rect& outRect,
                 const StatisticsList&) const override {
        if (outRect.contains(failAt_))
            throw Error("synthetic failure");
        copyPixels(in.region(outRect.relativeTo(inRect)), out);
    }

private:
    std::int64_t radius_;
    Rect failAt_;
};

// Records callbacks, and whether two of them ever ran at the same time. Each callback holds
// its "inside" flag for a moment so that overlapping calls would be seen; the records
// themselves are guarded, so a broken engine fails the test instead of crashing it.
class Recorder final : public Callbacks {
public:
    void onStart(const RunStats& s) override { enter("start", s); }
    void onEnd(const RunStats& s) override { enter("end", s); }
    void onError(std::string_view m, const RunStats& s) override {
        enter("error", s);
        std::lock_guard lock(mutex_);
        error = std::string(m);
    }
    void onChunkStart(const Rect&, const RunStats& s) override { enter("chunk-start", s); }
    void onChunkEnd(const Rect&, const RunStats& s) override { enter("chunk-end", s); }
    void onTileStart(const Tile& t, const RunStats& s) override {
        enter("tile-start", s);
        std::lock_guard lock(mutex_);
        started.push_back(t.index);
    }
    void onTileEnd(const Tile& t, double seconds, const RunStats& s) override {
        enter("tile-end", s);
        std::lock_guard lock(mutex_);
        ended.push_back(t.index);
        negativeTime = negativeTime || seconds < 0;
        if (stopAfter > 0 && static_cast<int>(ended.size()) == stopAfter)
            stop.request_stop();
    }

    std::vector<std::string> events;
    std::vector<std::int64_t> started, ended;
    std::vector<RunStats> stats;
    std::string error;
    bool overlapped = false;
    bool negativeTime = false;
    int stopAfter = 0;
    std::stop_source stop;

private:
    void enter(const char* what, const RunStats& s) {
        if (inside_.exchange(true))
            overlapped = true;
        std::this_thread::sleep_for(std::chrono::microseconds(50));
        {
            std::lock_guard lock(mutex_);
            events.emplace_back(what);
            stats.push_back(s);
        }
        inside_ = false;
    }
    std::atomic<bool> inside_{false};
    std::mutex mutex_;
};

}  // namespace

// Keeps a copy of what onTileResult shows, and checks that each result comes right before
// its own tile's onTileEnd. Callbacks are serialised, so no lock is needed.
class TileResults final : public Callbacks {
public:
    struct Seen {
        Tile tile;
        Image input, result;
    };
    void onTileResult(const Tile& t, ConstImageView input, ConstImageView result,
                      const RunStats&) override {
        inOrder = inOrder && !pending;
        pending = t.index;
        Seen seen{t, Image(input.info()), Image(result.info())};
        copyPixels(input, seen.input);
        copyPixels(result, seen.result);
        tiles.push_back(std::move(seen));
    }
    void onTileEnd(const Tile& t, double, const RunStats&) override {
        if (pending) {
            inOrder = inOrder && *pending == t.index;
            pending.reset();
        } else {
            ++endsWithoutResult;
        }
    }
    std::vector<std::int64_t> indices() const {
        std::vector<std::int64_t> list;
        for (const Seen& s : tiles)
            list.push_back(s.tile.index);
        std::sort(list.begin(), list.end());
        return list;
    }
    std::vector<Seen> tiles;
    std::optional<std::int64_t> pending;
    bool inOrder = true;
    int endsWithoutResult = 0;
};

class TestEngine : public QObject {
    Q_OBJECT

private slots:
    void cropIsBitIdenticalToWholeImage_data() {
        QTest::addColumn<QString>("op");
        QTest::addColumn<QString>("sigma");
        QTest::newRow("sobel") << "sobel"
                               << "";
        QTest::newRow("gaussian 0.8") << "gaussian"
                                      << "0.8";
        QTest::newRow("gaussian 2.5") << "gaussian"
                                      << "2.5";
    }
    void cropIsBitIdenticalToWholeImage() {
        QFETCH(QString, op);
        QFETCH(QString, sigma);
        std::map<std::string, std::string> params;
        if (!sigma.isEmpty())
            params["sigma"] = sigma.toStdString();
        const auto operation = createOperation(op.toStdString(), params);
        const std::int64_t r = operation->radius();
        const std::vector<Size> sizes{{1, 1}, {2, 3}, {17, 13}, {64, 64}, {97, 61}, {131, 7}};
        const std::vector<Size> tiles{{r + 1, r + 1}, {r + 4, r + 9}, {16 + r, 16 + r}, {256, 256}};
        std::uint32_t seed = 1;
        for (DType dtype : {DType::U8, DType::U16, DType::F32}) {
            for (Size size : sizes) {
                const Image in = randomImage(dtype, 2, size.width, size.height, seed++);
                const Image expected = wholeImage(operation, in);
                for (Size tile : tiles) {
                    const Image got = TileFlow({.tile = tile}).configure(operation).run(in);
                    QVERIFY2(samePixels(got, expected), qPrintable(QString("%1 %2x%3 tile %4x%5")
                                                                       .arg(op)
                                                                       .arg(size.width)
                                                                       .arg(size.height)
                                                                       .arg(tile.width)
                                                                       .arg(tile.height)));
                }
            }
        }
    }

    void chunkedEqualsDirect_data() {
        QTest::addColumn<QString>("mode");
        QTest::newRow("crop") << "crop";
        QTest::newRow("blend") << "blend";
    }
    void chunkedEqualsDirect() {
        QFETCH(QString, mode);
        const Reconstruction reconstruction = *parseReconstruction(mode.toStdString());
        const auto op = createOperation("gaussian", {{"sigma", "1.5"}});
        const Image in = randomImage(DType::U16, 3, 203, 157, 42);
        EngineOptions options{.tile = {32, 24}, .overlap = 8, .reconstruction = reconstruction};
        const Image direct = TileFlow(options).configure(op).run(in);
        for (Size chunk :
             {Size{1, 1}, Size{40, 30}, Size{64, 48}, Size{100, 1000}, Size{4096, 4096}}) {
            options.chunk = chunk;
            MemorySource source(in);
            MemorySink sink;
            TileFlow(options).configure(op).run(source, sink);
            QVERIFY2(samePixels(sink.take(), direct),
                     qPrintable(QString("chunk %1x%2").arg(chunk.width).arg(chunk.height)));
        }
    }

    void streamedMemoryDependsOnChunkNotImage() {
        // Engine buffers: the chunk being processed, the one being read ahead, and the output
        // chunk. Once an image spans a few chunks, its size no longer enters.
        const auto op = createOperation("gaussian", {{"sigma", "2"}});
        std::vector<std::int64_t> peaks;
        for (std::int64_t side : {1500, 3000}) {
            const SyntheticSource source({{side, side}, 2, DType::U16, 3});
            MemorySink sink;
            const RunReport report =
                TileFlow({.tile = {64, 64}, .chunk = {256, 256}}).configure(op).run(source, sink);
            peaks.push_back(report.stats.enginePeakBytes);
        }
        // Whether the read-ahead chunk is held at the peak depends on timing, so each peak lies
        // between one input chunk plus the output chunk and two plus the output: bounds in
        // which the image size does not appear.
        const std::int64_t input = std::int64_t{272} * 272 * 2 * 2;
        const std::int64_t output = std::int64_t{256} * 256 * 2 * 4;
        for (const std::int64_t peak : peaks) {
            QVERIFY2(peak >= input + output && peak <= 2 * input + output,
                     qPrintable(QString::number(peak)));
        }
    }

    void blendIsContinuousAcrossSeams() {
        // A non-local operation: crop shows a step at every seam, blend ramps over 2 * overlap.
        const auto op = std::make_shared<TileMean>();
        Image in = Image::zeros({{192, 128}, 1, DType::F32});
        for (std::int64_t y = 0; y < 128; ++y) {
            for (std::int64_t x = 0; x < 192; ++x)
                in.view().row<float>(0, y)[x] = static_cast<float>(x * x + 3 * y) / 1e4f;
        }
        const std::int64_t overlap = 8;
        auto maxJump = [](const Image& img) {
            float worst = 0;
            for (std::int64_t y = 0; y < img.height(); ++y) {
                for (std::int64_t x = 0; x < img.width(); ++x) {
                    const auto v = at<float>(img, 0, x, y);
                    if (x + 1 < img.width())
                        worst = std::max(worst, std::abs(at<float>(img, 0, x + 1, y) - v));
                    if (y + 1 < img.height())
                        worst = std::max(worst, std::abs(at<float>(img, 0, x, y + 1) - v));
                }
            }
            return worst;
        };
        EngineOptions options{.tile = {32, 32}, .overlap = overlap};
        const Image crop = TileFlow(options).configure(op).run(in);
        options.reconstruction = Reconstruction::Blend;
        const Image blend = TileFlow(options).configure(op).run(in);
        // Neighbouring tile means differ by at most `step`; linear ramps spread that over
        // 2 * overlap pixels in each axis.
        float step = 0;
        for (std::int64_t y = 0; y < 128; y += 32) {
            for (std::int64_t x = 0; x + 32 < 192; x += 32) {
                step = std::max(step,
                                std::abs(at<float>(crop, 0, x + 32, y) - at<float>(crop, 0, x, y)));
            }
        }
        QVERIFY(maxJump(crop) >= step * 0.99f);
        QVERIFY2(maxJump(blend) <= step / (2 * overlap) * 2.01f + 1e-6f,
                 qPrintable(QString("blend jump %1, seam step %2").arg(maxJump(blend)).arg(step)));
    }

    void blendOfIdentityReproducesInput() {
        const Image in = randomImage(DType::U8, 2, 77, 53, 3);
        const Image out =
            TileFlow({.tile = {16, 16}, .overlap = 5, .reconstruction = Reconstruction::Blend})
                .configure(std::make_shared<Identity>())
                .run(in);
        QVERIFY(samePixels(out, in));
    }

    void blendOfALocalOperationMatchesTheWholeImage() {
        // Blend computes each tile's whole halo from its halo grown by the radius, so every
        // tile's pixels are exact and the feathered average is the whole-image value (up to
        // the rounding of the weighted mean).
        const auto op = createOperation("gaussian", {{"sigma", "1.5"}});
        const Image in = randomImage(DType::F32, 2, 150, 111, 31);
        const Image expected = wholeImage(op, in);
        const Image got =
            TileFlow({.tile = {32, 32}, .overlap = 10, .reconstruction = Reconstruction::Blend})
                .configure(op)
                .run(in);
        float worst = 0;
        for (int c = 0; c < 2; ++c) {
            for (std::int64_t y = 0; y < in.height(); ++y) {
                for (std::int64_t x = 0; x < in.width(); ++x) {
                    worst = std::max(
                        worst, std::abs(at<float>(got, c, x, y) - at<float>(expected, c, x, y)));
                }
            }
        }
        QVERIFY2(worst < 1e-6f, qPrintable(QString("largest difference %1").arg(worst)));
    }

    void failedStreamLeavesNoFileAndKeepsTheOldOne() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("out.npy").toStdString();
        const Image old = randomImage(DType::U8, 1, 5, 4, 1);
        writeNpy(path, old);
        const Image in = randomImage(DType::U8, 1, 300, 200, 2);
        MemorySource source(in);
        {
            NpySink sink(path);
            TileFlow flow({.tile = {32, 32}, .chunk = {64, 64}});
            flow.configure(std::make_shared<Identity>(0, Rect{250, 150, 1, 1}));
            QVERIFY_THROWS_EXCEPTION(Error, flow.run(source, sink));
        }
        QVERIFY(samePixels(readNpy(path), old));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{"out.npy"});
    }

    void sourceErrorsKeepTheirType() {
        // A read failure is an I/O error about the source, not about a tile.
        class Broken final : public Source {
        public:
            ImageInfo info() const override { return {{100, 100}, 1, DType::U8}; }
            void read(const Rect& r, ImageView) const override {
                if (r.y > 0)
                    throw IoError("disk on fire");
            }
        } source;
        MemorySink sink;
        Recorder rec;
        TileFlow flow({.tile = {16, 16}, .chunk = {32, 32}});
        flow.configure(std::make_shared<Identity>());
        QVERIFY_THROWS_EXCEPTION(IoError, flow.run(source, sink, {&rec, {}}));
        QCOMPARE(rec.error, std::string("disk on fire"));
        QVERIFY_THROWS_EXCEPTION(Error, sink.take());
    }

    void tileErrorsNestTheOriginal() {
        const Image in = randomImage(DType::U8, 1, 64, 64, 3);
        try {
            TileFlow({.tile = {16, 16}})
                .configure(std::make_shared<Identity>(0, Rect{20, 20, 1, 1}))
                .run(in);
            QFAIL("expected an error");
        } catch (const Error& e) {
            try {
                std::rethrow_if_nested(e);
                QFAIL("the original exception should be nested");
            } catch (const Error& original) {
                QCOMPARE(std::string(original.what()), std::string("synthetic failure"));
            }
        }
    }

    void cancellingBeforeTheFirstTileOrDuringStatistics() {
        const Image in = randomImage(DType::F32, 1, 256, 256, 5);
        std::stop_source stopped;
        stopped.request_stop();
        QVERIFY_THROWS_EXCEPTION(Cancelled, TileFlow({.tile = {32, 32}})
                                                .configure(createOperation("sobel"))
                                                .run(in, {nullptr, stopped.get_token()}));
        // stretch on f32 runs two statistics passes before processing; stop in the first.
        Recorder rec;
        rec.stopAfter = 2;
        MemorySource source(in);
        MemorySink sink;
        TileFlow flow({.tile = {32, 32}, .threads = 1});
        flow.configure(createOperation("stretch"));
        QVERIFY_THROWS_EXCEPTION(Cancelled, flow.run(source, sink, {&rec, rec.stop.get_token()}));
        QCOMPARE(rec.stats.back().pass, 0);
        QVERIFY_THROWS_EXCEPTION(Error, sink.take());
    }

    void outputMustNotAliasTheInput() {
        Image image = randomImage(DType::F32, 1, 64, 64, 7);
        TileFlow flow({.tile = {16, 16}});
        flow.configure(createOperation("gaussian", {{"sigma", "1"}}));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, flow.run(image, image.view()));
    }

    void outputMayChangeDtypeAndChannels() {
        const Image in = randomImage(DType::U8, 3, 40, 30, 5);
        const Image out = TileFlow({.tile = {16, 16}}).configure(createOperation("sobel")).run(in);
        QCOMPARE(out.dtype(), DType::F32);
        QCOMPARE(out.channels(), 3);
        QCOMPARE(out.size(), in.size());
    }

    void callbacksAreOrderedCountedAndSerialised() {
        const Image in = randomImage(DType::F32, 2, 300, 200, 9);
        Recorder rec;
        EngineOptions options{.tile = {32, 32}, .chunk = {96, 64}, .threads = 2};
        MemorySource source(in);
        MemorySink sink;
        const RunReport report =
            TileFlow(options).configure(createOperation("sobel")).run(source, sink, {&rec, {}});
        const Grid grid({300, 200}, {{32, 32}, 1});
        QVERIFY(!rec.overlapped);
        QVERIFY(!rec.negativeTime);
        QCOMPARE(rec.events.front(), std::string("start"));
        QCOMPARE(rec.events.back(), std::string("end"));
        QCOMPARE(static_cast<std::int64_t>(rec.started.size()), grid.count());
        QCOMPARE(static_cast<std::int64_t>(rec.ended.size()), grid.count());
        std::vector<std::int64_t> sorted = rec.ended;
        std::sort(sorted.begin(), sorted.end());
        for (std::int64_t i = 0; i < grid.count(); ++i)
            QCOMPARE(sorted[static_cast<std::size_t>(i)], i);
        const auto chunks = std::count(rec.events.begin(), rec.events.end(), "chunk-start");
        QCOMPARE(chunks, std::ptrdiff_t{4} * 4);  // ceil(300/96 rounded to tiles) x ceil(200/64)
        QCOMPARE(report.stats.tilesDone, grid.count());
        QCOMPARE(report.stats.pixelsDone, std::int64_t{300} * 200);
        QCOMPARE(report.stats.bytesWritten, std::int64_t{300} * 200 * 2 * 4);
        QVERIFY(report.stats.bytesRead >= std::int64_t{300} * 200 * 2 * 4);
        QVERIFY(report.stats.enginePeakBytes > 0);
        // Progress never goes backwards.
        for (std::size_t i = 1; i < rec.stats.size(); ++i)
            QVERIFY(rec.stats[i].tilesDone >= rec.stats[i - 1].tilesDone);
    }

    void cancellationStopsTheRunAndLeavesNoResult() {
        const Image in = randomImage(DType::F32, 1, 512, 512, 11);
        Recorder rec;
        rec.stopAfter = 3;
        MemorySource source(in);
        MemorySink sink;
        TileFlow flow({.tile = {16, 16}, .chunk = {64, 64}, .threads = 2});
        flow.configure(createOperation("sobel"));
        QVERIFY_THROWS_EXCEPTION(Cancelled, flow.run(source, sink, {&rec, rec.stop.get_token()}));
        QVERIFY(rec.ended.size() < 1024 / 2);
        QVERIFY_THROWS_EXCEPTION(Error, sink.take());
        QCOMPARE(rec.events.back(), std::string("error"));
    }

    void failingTileNamesItsPosition() {
        const Image in = randomImage(DType::U8, 1, 100, 80, 13);
        const auto op = std::make_shared<Identity>(0, Rect{70, 45, 1, 1});
        Recorder rec;
        try {
            TileFlow({.tile = {32, 32}}).configure(op).run(in, {&rec, {}});
            QFAIL("expected an error");
        } catch (const Cancelled&) {
            QFAIL("an error is not a cancellation");
        } catch (const Error& e) {
            const QString message = e.what();
            QVERIFY2(message.contains("col 2, row 1") && message.contains("x=64 y=32") &&
                         message.contains("synthetic failure") && message.contains("identity"),
                     e.what());
            QCOMPARE(rec.error, std::string(e.what()));
        }
    }

    void overlapBelowRadiusIsRefusedOrRaised() {
        const auto op = createOperation("gaussian", {{"sigma", "1"}});  // radius 4
        const Image in = randomImage(DType::F32, 1, 50, 50, 17);
        try {
            TileFlow({.tile = {16, 16}, .overlap = 2}).configure(op).run(in);
            QFAIL("expected InvalidArgument");
        } catch (const InvalidArgument& e) {
            QVERIFY2(QString(e.what()).contains("smaller than the radius 4"), e.what());
        }
        Image out(op->outputInfo(in.info()));
        const RunReport report =
            TileFlow({.tile = {16, 16}, .overlap = 2, .overlapPolicy = OverlapPolicy::Raise})
                .configure(op)
                .run(in, out);
        QCOMPARE(report.overlap, std::int64_t{4});
        QCOMPARE(report.notes.size(), std::size_t{1});
        QVERIFY(samePixels(out, wholeImage(op, in)));
    }

    void badArgumentsGiveClearErrors_data() {
        QTest::addColumn<QString>("op");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown op") << "blur"
                                    << ""
                                    << ""
                                    << "unknown operation 'blur' (known: sobel";
        QTest::newRow("unknown param") << "sobel"
                                       << "sigma"
                                       << "1"
                                       << "sobel: unknown parameter 'sigma' (it takes none)";
        QTest::newRow("not a number") << "gaussian"
                                      << "sigma"
                                      << "abc"
                                      << "'sigma' expects a number, got 'abc'";
        QTest::newRow("out of range") << "gaussian"
                                      << "sigma"
                                      << "-1"
                                      << "'sigma' must be in [0.1, 64], got -1";
    }
    void badArgumentsGiveClearErrors() {
        QFETCH(QString, op);
        QFETCH(QString, key);
        QFETCH(QString, value);
        QFETCH(QString, message);
        std::map<std::string, std::string> params;
        if (!key.isEmpty())
            params[key.toStdString()] = value.toStdString();
        try {
            createOperation(op.toStdString(), params);
            QFAIL("expected InvalidArgument");
        } catch (const InvalidArgument& e) {
            QVERIFY2(QString(e.what()).contains(message), e.what());
        }
    }

    void tileSizeErrorsReachTheCaller() {
        const Image in = randomImage(DType::U8, 1, 10, 10, 19);
        QVERIFY_THROWS_EXCEPTION(
            InvalidArgument,
            TileFlow({.tile = {0, 16}}).configure(createOperation("sobel")).run(in));
        QVERIFY_THROWS_EXCEPTION(
            InvalidArgument,
            TileFlow({.tile = {4, 4}, .overlap = 4}).configure(createOperation("sobel")).run(in));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, TileFlow().run(in));
    }

    void measurementsAreFoundByName() {
        Image in = Image::zeros({{40, 30}, 1, DType::U8});
        for (std::int64_t y = 5; y < 10; ++y) {
            for (std::int64_t x = 5; x < 10; ++x)
                in.view().row<std::uint8_t>(0, y)[x] = 200;
        }
        MemorySource source(in);
        MemorySink sink;
        const RunReport report =
            TileFlow({.tile = {16, 16}})
                .configure(createOperation("threshold", {{"method", "fixed"}, {"value", "100"}}))
                .run(source, sink);
        QVERIFY(report.measurement("threshold").has_value());
        QCOMPARE(*report.measurement("threshold"), 100.0);
        QVERIFY(!report.measurement("nuclei_count").has_value());
        const std::vector<Measurement> list{{"a", 1}, {"b", 2}};
        QCOMPARE(findMeasurement(list, "b").value_or(0), 2.0);
        QVERIFY(!findMeasurement(list, "c").has_value());
    }

    void visitDTypeGivesTheSampleType() {
        for (DType type : {DType::U8, DType::I8, DType::U16, DType::I16, DType::U32, DType::F32}) {
            const bool matches = visitDType(type, [type](auto sample) {
                return dtypeOf<decltype(sample)>() == type && sample == decltype(sample){};
            });
            QVERIFY2(matches, dtypeName(type).data());
        }
        const Image in = randomImage(DType::U16, 1, 3, 2, 29);
        const double first = visitDType(in.dtype(), [&](auto sample) {
            return static_cast<double>(in.view().row<decltype(sample)>(0, 1)[2]);
        });
        QCOMPARE(first, static_cast<double>(at<std::uint16_t>(in, 0, 2, 1)));
    }

    void tileResultsShowEachTilesPixels_data() {
        QTest::addColumn<bool>("blend");
        QTest::addColumn<bool>("streamed");
        QTest::addColumn<int>("threads");
        for (bool blend : {false, true}) {
            for (bool streamed : {false, true}) {
                for (int threads : {1, 3})
                    QTest::addRow("%s, %s, %d threads", blend ? "blend" : "crop",
                                  streamed ? "streamed" : "in memory", threads)
                        << blend << streamed << threads;
            }
        }
    }
    void tileResultsShowEachTilesPixels() {
        QFETCH(bool, blend);
        QFETCH(bool, streamed);
        QFETCH(int, threads);
        const Image in = randomImage(DType::F32, 2, 70, 50, 37);
        const auto op = createOperation("sobel");
        const Image expected = wholeImage(op, in);
        // Small chunks: in blend mode tiles are also computed (and ended, without a result)
        // for the neighbouring chunks their halos reach into.
        const TileFlow flow(op,
                            {.tile = {16, 16},
                             .overlap = 3,
                             .reconstruction = blend ? Reconstruction::Blend : Reconstruction::Crop,
                             .chunk = {32, 32},
                             .threads = threads});
        TileResults seen;
        if (streamed) {
            MemorySource source(in);
            MemorySink sink;
            flow.run(source, sink, {&seen});
        } else {
            flow.run(in, {&seen});
        }
        // A 70 x 50 image in 16 x 16 tiles: 5 x 4 tiles, each shown exactly once.
        std::vector<std::int64_t> everyTile(std::size_t{5} * 4);
        std::iota(everyTile.begin(), everyTile.end(), 0);
        QCOMPARE(seen.indices(), everyTile);
        QVERIFY(seen.inOrder);
        QVERIFY(!seen.pending);
        if (!blend)
            QCOMPARE(seen.endsWithoutResult, 0);
        for (const TileResults::Seen& t : seen.tiles) {
            QVERIFY(samePixels(t.input, ConstImageView(in).region(t.tile.core)));
            // Each tile's own result is exact in both modes (blend computes the whole halo).
            QVERIFY(samePixels(t.result, ConstImageView(expected).region(t.tile.core)));
        }
    }

    void tileResultsAreNotShownForStatisticsPasses() {
        const Image in = randomImage(DType::U16, 1, 40, 30, 41);
        TileResults seen;
        TileFlow(createOperation("stretch"), {.tile = {16, 16}}).run(in, {&seen});
        QCOMPARE(seen.tiles.size(), std::size_t{3} * 2);
    }

    void constructedConfigured() {
        const Image in = randomImage(DType::F32, 2, 50, 40, 23);
        const auto op = createOperation("sobel");
        const TileFlow flow(op, {.tile = {16, 16}});
        QCOMPARE(flow.operation(), op);
        QCOMPARE(flow.options().tile, (Size{16, 16}));
        QVERIFY(samePixels(flow.run(in), wholeImage(op, in)));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, TileFlow(nullptr));
    }
};

QTEST_APPLESS_MAIN(TestEngine)
#include "test_engine.moc"
