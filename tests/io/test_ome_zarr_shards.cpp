// One OME-Zarr store filled in shards: shardRegions partitions the chunks, runRegions gives
// each pixel the whole run's value (crop, blend, global statistics), and shard sinks plus
// finalizeOmeZarr write byte for byte the store one OmeZarrSink writes, the shards building the
// pyramid over their own chunks and finalize the rest. Also what a pending store refuses:
// finishing with shards missing, reading it, mixing settings.
#include <sys/stat.h>
#include <utime.h>

#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "file_tree.hpp"
#include "test_images.hpp"
#include "tileflow/engine.hpp"
#include "tileflow/error.hpp"
#include "tileflow/ome_zarr_shards.hpp"
#include "tileflow/region_run.hpp"
#include "tileflow/registry.hpp"
#include "tileflow/zarr.hpp"

using namespace tileflow;
using tileflow::testing::filesBelow;
using tileflow::testing::randomImage;

namespace {

// A sink that keeps what it is given in a whole-size image and counts each pixel written.
class CoverageSink final : public Sink {
public:
    void begin(const ImageInfo& info) override {
        image = Image(info);
        std::memset(image.view().data(), 0, static_cast<std::size_t>(image.bytes()));
        writes.assign(static_cast<std::size_t>(info.size.area()), 0);
        begun = true;
    }
    void write(const Rect& r, ConstImageView pixels) override {
        for (int c = 0; c < image.info().channels; ++c) {
            for (std::int64_t y = 0; y < r.height; ++y) {
                const std::size_t bytes =
                    static_cast<std::size_t>(r.width) * bytesPerSample(image.info().dtype);
                std::memcpy(image.view().row<std::byte>(c, r.y + y) +
                                r.x * static_cast<std::int64_t>(bytesPerSample(image.info().dtype)),
                            pixels.row<std::byte>(c, y), bytes);
            }
        }
        for (std::int64_t y = r.y; y < r.bottom(); ++y) {
            for (std::int64_t x = r.x; x < r.right(); ++x)
                ++writes[static_cast<std::size_t>(y * image.info().size.width + x)];
        }
    }
    void commit() override { committed = true; }
    void abort() noexcept override {}

    Image image;
    std::vector<int> writes;
    bool begun = false, committed = false;
};

// Rows of two views equal byte for byte inside `r`.
bool sameInside(ConstImageView a, ConstImageView b, const Rect& r) {
    const auto sample = static_cast<std::int64_t>(bytesPerSample(a.dtype()));
    for (int c = 0; c < a.channels(); ++c) {
        for (std::int64_t y = r.y; y < r.bottom(); ++y) {
            if (std::memcmp(a.row<std::byte>(c, y) + r.x * sample,
                            b.row<std::byte>(c, y) + r.x * sample,
                            static_cast<std::size_t>(r.width * sample)) != 0)
                return false;
        }
    }
    return true;
}

// Copies `input` into the store at `path` as shards `which` of `count`, in chunks of `chunk`.
void copyShards(const std::string& path, ConstImageView input, std::int64_t chunk,
                const std::vector<int>& which, int count) {
    const MemorySource source(input);
    const TileFlow flow(createOperation("copy"));
    for (const int i : which) {
        OmeZarrShardSink share(path, {.chunk = chunk}, {i, count});
        runRegions(flow, source, share, shardRegions(input.size(), chunk, {i, count}));
    }
}

}  // namespace

class TestOmeZarrShards : public QObject {
    Q_OBJECT

private slots:
    void shardsPartitionTheChunksInRuns_data() {
        QTest::addColumn<qint64>("width");
        QTest::addColumn<qint64>("height");
        QTest::addColumn<qint64>("chunk");
        QTest::addColumn<int>("count");
        QTest::newRow("one shard") << qint64(100) << qint64(70) << qint64(16) << 1;
        QTest::newRow("uneven, partial rows") << qint64(333) << qint64(250) << qint64(64) << 3;
        QTest::newRow("more shards than chunk rows")
            << qint64(300) << qint64(40) << qint64(32) << 7;
        QTest::newRow("more shards than chunks") << qint64(40) << qint64(20) << qint64(32) << 5;
        QTest::newRow("exact multiple") << qint64(256) << qint64(128) << qint64(64) << 4;
    }
    void shardsPartitionTheChunksInRuns() {
        QFETCH(qint64, width);
        QFETCH(qint64, height);
        QFETCH(qint64, chunk);
        QFETCH(int, count);
        const Size image{width, height};
        const std::int64_t cols = (width + chunk - 1) / chunk, rows = (height + chunk - 1) / chunk;
        std::vector<int> owner(static_cast<std::size_t>(cols * rows), -1);
        for (int i = 0; i < count; ++i) {
            for (const Rect& r : shardRegions(image, chunk, {i, count})) {
                QVERIFY(!r.empty());
                QVERIFY(rectOf(image).contains(r));
                // Aligned to chunks: starts on a chunk corner, ends on one or at the image edge.
                QCOMPARE(r.x % chunk, 0);
                QCOMPARE(r.y % chunk, 0);
                QVERIFY(r.right() % chunk == 0 || r.right() == width);
                QVERIFY(r.bottom() % chunk == 0 || r.bottom() == height);
                for (std::int64_t cy = r.y / chunk; cy * chunk < r.bottom(); ++cy) {
                    for (std::int64_t cx = r.x / chunk; cx * chunk < r.right(); ++cx) {
                        int& o = owner[static_cast<std::size_t>(cy * cols + cx)];
                        QCOMPARE(o, -1);  // no chunk has two writers
                        o = i;
                    }
                }
            }
        }
        // Every chunk has a writer; in row-major order the owners never go back, and the
        // shares differ by at most one chunk.
        std::vector<std::int64_t> share(static_cast<std::size_t>(count), 0);
        for (std::size_t k = 0; k < owner.size(); ++k) {
            QVERIFY(owner[k] >= 0);
            if (k > 0)
                QVERIFY(owner[k] >= owner[k - 1]);
            ++share[static_cast<std::size_t>(owner[k])];
        }
        const auto [least, most] = std::minmax_element(share.begin(), share.end());
        QVERIFY(*most - *least <= 1);
    }

    void aShardOutsideTheCountIsRefused() {
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, shardRegions({64, 64}, 16, {3, 3}));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, shardRegions({64, 64}, 16, {-1, 3}));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, shardRegions({64, 64}, 16, {0, 0}));
    }

    void regionsGetTheWholeRunsPixels_data() {
        QTest::addColumn<QString>("op");
        QTest::addColumn<QString>("mode");
        QTest::addColumn<int>("dtype");
        QTest::newRow("sobel crop") << "sobel"
                                    << "crop" << int(DType::U16);
        QTest::newRow("gaussian crop") << "gaussian"
                                       << "crop" << int(DType::F32);
        QTest::newRow("gaussian blend") << "gaussian"
                                        << "blend" << int(DType::U8);
        QTest::newRow("stretch: global percentiles") << "stretch"
                                                     << "crop" << int(DType::U16);
        QTest::newRow("nuclei: global Otsu and count") << "nuclei"
                                                       << "crop" << int(DType::U16);
    }
    void regionsGetTheWholeRunsPixels() {
        QFETCH(QString, op);
        QFETCH(QString, mode);
        QFETCH(int, dtype);
        const Image input = randomImage(static_cast<DType>(dtype), 2, 301, 187, 11);
        const MemorySource source(input.view());
        EngineOptions options{.tile = {48, 40}};
        options.reconstruction = *parseReconstruction(mode.toStdString());
        if (mode == "blend")
            options.overlap = 12;
        const TileFlow flow(createOperation(op.toStdString()), options);
        MemorySink wholeSink;
        const RunReport whole = flow.run(source, wholeSink);
        const Image expected = wholeSink.take();

        for (int i = 0; i < 3; ++i) {
            const std::vector<Rect> mine = shardRegions(input.info().size, 64, {i, 3});
            CoverageSink sink;
            const RunReport part = runRegions(flow, source, sink, mine);
            QVERIFY(sink.begun && sink.committed);
            QCOMPARE(sink.image.info(), expected.info());
            for (std::int64_t y = 0; y < 187; ++y) {
                for (std::int64_t x = 0; x < 301; ++x) {
                    const bool inside = std::any_of(mine.begin(), mine.end(), [&](const Rect& r) {
                        return r.contains({x, y, 1, 1});
                    });
                    QCOMPARE(sink.writes[static_cast<std::size_t>(y * 301 + x)], inside ? 1 : 0);
                }
            }
            for (const Rect& r : mine)
                QVERIFY2(sameInside(sink.image.view(), expected.view(), r),
                         qPrintable(QString("shard %1 region at %2,%3").arg(i).arg(r.x).arg(r.y)));
            // Measurements are the whole image's.
            QCOMPARE(part.measurements.size(), whole.measurements.size());
            for (std::size_t m = 0; m < whole.measurements.size(); ++m)
                QCOMPARE(part.measurements[m].value, whole.measurements[m].value);
        }
    }

    void overlappingOrOutsideRegionsAreRefused() {
        const Image input = randomImage(DType::U8, 1, 64, 64, 1);
        const MemorySource source(input.view());
        const TileFlow flow(createOperation("sobel"));
        CoverageSink sink;
        QVERIFY_THROWS_EXCEPTION(InvalidArgument,
                                 runRegions(flow, source, sink, {{0, 0, 32, 32}, {16, 16, 8, 8}}));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument,
                                 runRegions(flow, source, sink, {{40, 40, 32, 8}}));
        QVERIFY(!sink.begun);
    }

    void shardsAndFinalizeWriteTheSingleRunsStore_data() {
        QTest::addColumn<QString>("op");
        QTest::addColumn<int>("dtype");
        QTest::addColumn<qint64>("width");
        QTest::addColumn<qint64>("height");
        QTest::addColumn<int>("shards");
        QTest::newRow("copy u16, 3 shards")
            << "copy" << int(DType::U16) << qint64(333) << qint64(250) << 3;
        QTest::newRow("sobel of u8 into f32, 4 shards")
            << "sobel" << int(DType::U8) << qint64(200) << qint64(129) << 4;
        QTest::newRow("stretch, 2 shards")
            << "stretch" << int(DType::U16) << qint64(97) << qint64(301) << 2;
        QTest::newRow("more shards than chunks")
            << "copy" << int(DType::U8) << qint64(40) << qint64(40) << 5;
        QTest::newRow("six levels, runs ending mid-row, 3 shards")
            << "copy" << int(DType::U8) << qint64(1000) << qint64(700) << 3;
    }
    void shardsAndFinalizeWriteTheSingleRunsStore() {
        QFETCH(QString, op);
        QFETCH(int, dtype);
        QFETCH(qint64, width);
        QFETCH(qint64, height);
        QFETCH(int, shards);
        QTemporaryDir single, sharded;
        const Image input = randomImage(static_cast<DType>(dtype), 2, width, height, 5);
        const MemorySource source(input.view());
        const TileFlow flow(createOperation(op.toStdString()), {.tile = {64, 64}});
        const OmeZarrOptions options{.chunk = 32,
                                     .compression = ZarrCompression::BloscZstd,
                                     .levels = 0,
                                     .channelNames = {"DAPI", "CD8"},
                                     .micronsPerPixel = 0.25};
        // The same folder name in both places: it is recorded in the metadata.
        const std::string singlePath = single.filePath("out.zarr").toStdString();
        const std::string shardedPath = sharded.filePath("out.zarr").toStdString();
        OmeZarrSink sink(singlePath, options);
        flow.run(source, sink);

        // Shards in reverse order: which one begins the store does not matter.
        for (int i = shards - 1; i >= 0; --i) {
            OmeZarrShardSink share(shardedPath, options, {i, shards});
            runRegions(flow, source, share,
                       shardRegions({width, height}, options.chunk, {i, shards}));
        }
        QVERIFY(finalizeOmeZarr(shardedPath));
        const auto expected = filesBelow(QString::fromStdString(singlePath));
        const auto got = filesBelow(QString::fromStdString(shardedPath));
        QVERIFY(expected.size() > 4);
        QCOMPARE(got.keys(), expected.keys());
        for (auto it = expected.begin(); it != expected.end(); ++it)
            QVERIFY2(got.value(it.key()) == it.value(), qPrintable(it.key()));
        QVERIFY(!finalizeOmeZarr(shardedPath));  // finished already: nothing to do
    }

    // 3 shards over a 4x4 grid of chunks take chunks 0-5, 6-10 and 11-15 (row-major). Of the
    // 2x2 chunks of level 1, only (0, 0) lies over one shard's chunks (0, 1, 4, 5); level 2's
    // one chunk lies over all three. The shards write the first, finalize the rest.
    void shardsBuildThePyramidOverTheirOwnChunks() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("out.zarr").toStdString();
        const Image input = randomImage(DType::U16, 1, 128, 128, 9);
        copyShards(path, input.view(), 32, {0, 1, 2}, 3);
        const auto chunkFiles = [&path](const QString& level) {
            QStringList names = filesBelow(QString::fromStdString(path)).keys();
            names.removeIf([&](const QString& name) {
                return !name.startsWith(level + "/") || name == level + "/.zarray";
            });
            return names;
        };
        QCOMPARE(chunkFiles("0").size(), 16);
        QCOMPARE(chunkFiles("1"), QStringList{"1/0/0/0"});
        QVERIFY(chunkFiles("2").empty());
        // Finalize leaves the shard's chunk alone: its time stamp, set far back, stays.
        const std::string shardsChunk = path + "/1/0/0/0";
        const utimbuf longAgo{1000, 1000};
        QCOMPARE(::utime(shardsChunk.c_str(), &longAgo), 0);
        QVERIFY(finalizeOmeZarr(path));
        struct stat after {};
        QCOMPARE(::stat(shardsChunk.c_str(), &after), 0);
        QCOMPARE(after.st_mtime, time_t(1000));
        QCOMPARE(chunkFiles("1"), (QStringList{"1/0/0/0", "1/0/0/1", "1/0/1/0", "1/0/1/1"}));
        QCOMPARE(chunkFiles("2"), QStringList{"2/0/0/0"});

        // What finalize built from the shards' level 1 is what one process builds.
        const MemorySource source(input.view());
        OmeZarrSink sink(dir.filePath("single.zarr").toStdString(), {.chunk = 32});
        TileFlow(createOperation("copy")).run(source, sink);
        QCOMPARE(filesBelow(QString::fromStdString(path + "/2")),
                 filesBelow(dir.filePath("single.zarr/2")));
    }

    // A store whose shards were written by a version that left the whole pyramid to finalize
    // (no "layout" in its record) is refused: finishing it would read reduced levels never
    // written.
    void aStoreBegunByAnotherLayoutIsRefused() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("out.zarr").toStdString();
        copyShards(path, randomImage(DType::U8, 1, 100, 100, 3).view(), 32, {0, 1}, 2);
        QFile attributes(QString::fromStdString(path + "/.zattrs"));
        QVERIFY(attributes.open(QIODevice::ReadOnly));
        QJsonObject root = QJsonDocument::fromJson(attributes.readAll()).object();
        attributes.close();
        QJsonObject tileflow = root["tileflow"].toObject();
        QJsonObject pending = tileflow["pending"].toObject();
        QVERIFY(pending.contains("layout"));
        pending.remove("layout");
        tileflow["pending"] = pending;
        root["tileflow"] = tileflow;
        QVERIFY(attributes.open(QIODevice::WriteOnly | QIODevice::Truncate));
        attributes.write(QJsonDocument(root).toJson());
        attributes.close();
        try {
            finalizeOmeZarr(path);
            QFAIL("a store of another layout was finished");
        } catch (const IoError& e) {
            QVERIFY2(QString(e.what()).contains("begun by another version of TileFlow"), e.what());
        }
    }

    void anUnfinishedStoreSaysWhatIsMissing() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("out.zarr").toStdString();
        const Image input = randomImage(DType::U8, 1, 100, 100, 3);
        const OmeZarrOptions options{.chunk = 32};
        copyShards(path, input.view(), 32, {0, 2}, 4);
        QCOMPARE(missingShards(path), (std::vector<int>{1, 3}));
        try {
            finalizeOmeZarr(path);
            QFAIL("finalize went ahead with shards missing");
        } catch (const IoError& e) {
            QVERIFY2(QString(e.what()).contains("shards 1, 3 of 4 have not finished"), e.what());
        }
        try {
            const ZarrSource reader(path);
            QFAIL("an unfinished store was read as an image");
        } catch (const IoError& e) {
            QVERIFY2(QString(e.what()).contains("unfinished store written in shards (2 still to "
                                                "finish)"),
                     e.what());
        }
        // A shard begun with other settings is refused before it writes anything.
        OmeZarrShardSink other(path, {.chunk = 64}, {1, 4});
        try {
            other.begin({{100, 100}, 1, DType::U8});
            QFAIL("a shard with another chunk size joined the store");
        } catch (const IoError& e) {
            QVERIFY2(QString(e.what()).contains("was begun with a different chunk (32 there, 64 "
                                                "here)"),
                     e.what());
        }
        // A shard that does not write all of its chunks does not leave its marker.
        OmeZarrShardSink partial(path, options, {1, 4});
        partial.begin({{100, 100}, 1, DType::U8});
        partial.write({0, 32, 4, 4}, input.view().region({0, 32, 4, 4}));  // shard 1: chunk row 1
        QVERIFY_THROWS_EXCEPTION(IoError, partial.commit());
        QCOMPARE(missingShards(path), (std::vector<int>{1, 3}));
        // A finished shard run again is unfinished until it commits again.
        OmeZarrShardSink again(path, options, {0, 4});
        again.begin({{100, 100}, 1, DType::U8});
        again.abort();
        QCOMPARE(missingShards(path), (std::vector<int>{0, 1, 3}));
    }

    void shardsRefuseAFinishedStoreOrOtherFiles() {
        QTemporaryDir dir;
        const std::string finished = dir.filePath("done.zarr").toStdString();
        const Image input = randomImage(DType::U8, 1, 64, 64, 3);
        const MemorySource source(input.view());
        OmeZarrSink sink(finished, {.chunk = 32});
        TileFlow(createOperation("copy")).run(source, sink);
        OmeZarrShardSink share(finished, {.chunk = 32}, {0, 2});
        try {
            share.begin(input.info());
            QFAIL("a shard wrote into a finished store");
        } catch (const IoError& e) {
            QVERIFY2(QString(e.what()).contains("already finished"), e.what());
        }
        const std::string folder = dir.filePath("plain").toStdString();
        QVERIFY(QDir().mkdir(QString::fromStdString(folder)));
        OmeZarrShardSink intoFolder(folder, {.chunk = 32}, {0, 2});
        QVERIFY_THROWS_EXCEPTION(IoError, intoFolder.begin(input.info()));
        QVERIFY_THROWS_EXCEPTION(IoError, finalizeOmeZarr(folder));
    }
};

QTEST_GUILESS_MAIN(TestOmeZarrShards)
#include "test_ome_zarr_shards.moc"
