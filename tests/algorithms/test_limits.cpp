// Resource limits: defaults, setting and validation, byte sizes, the checks' messages, and the
// whole-image helpers and the engine's chunk buffers staying within the memory limit.
#include <unistd.h>

#include <QtTest>
#include <algorithm>
#include <cstring>
#include <thread>
#include <vector>

#include "limits_guard.hpp"
#include "tileflow/engine.hpp"
#include "tileflow/error.hpp"
#include "tileflow/limits.hpp"
#include "tileflow/registry.hpp"
#include "tileflow/synthetic.hpp"

using namespace tileflow;
using tileflow::testing::LimitsGuard;

namespace {

constexpr std::int64_t kMiB = std::int64_t{1} << 20;
constexpr std::int64_t kGiB = std::int64_t{1} << 30;

void setMaxMemory(std::int64_t bytes) {
    ResourceLimits limits = resourceLimits();
    limits.maxMemoryBytes = bytes;
    setResourceLimits(limits);
}

// Keeps what the engine writes in an image allocated up front.
class ImageSink final : public Sink {
public:
    explicit ImageSink(const ImageInfo& info) : image(info) {}
    void begin(const ImageInfo&) override {}
    void write(const Rect& region, ConstImageView pixels) override {
        copyPixels(pixels, image.view().region(region));
    }
    void commit() override {}
    void abort() noexcept override {}
    Image image;
};

bool sameBytes(const Image& a, const Image& b) {
    if (a.info() != b.info())
        return false;
    for (int c = 0; c < a.channels(); ++c) {
        for (std::int64_t y = 0; y < a.height(); ++y) {
            const auto rowBytes =
                static_cast<std::size_t>(a.width()) * bytesPerSample(a.info().dtype);
            if (std::memcmp(a.view().row<std::byte>(c, y), b.view().row<std::byte>(c, y),
                            rowBytes) != 0) {
                return false;
            }
        }
    }
    return true;
}

}  // namespace

Q_DECLARE_METATYPE(tileflow::ResourceLimits)

class TestLimits : public QObject {
    Q_OBJECT

private slots:
    void defaultsAreDocumented() {
        const ResourceLimits defaults;
        QCOMPARE(defaults.maxPixels, std::int64_t{1} << 40);
        QCOMPARE(defaults.maxChannels, 4096);
        QCOMPARE(defaults.maxTileBytes, 256 * kMiB);
        // Half the physical memory, at least 1 GiB, from the system's own page counts.
        const std::int64_t physical =
            std::int64_t{::sysconf(_SC_PHYS_PAGES)} * std::int64_t{::sysconf(_SC_PAGESIZE)};
        QCOMPARE(defaults.maxMemoryBytes, std::max(physical / 2, kGiB));
        const ResourceLimits current = resourceLimits();
        QCOMPARE(current.maxPixels, defaults.maxPixels);
        QCOMPARE(current.maxMemoryBytes, defaults.maxMemoryBytes);
    }

    void setAndGet() {
        LimitsGuard guard;
        const ResourceLimits wanted{1000, 3, 5 * kMiB, 64 * kMiB};
        setResourceLimits(wanted);
        const ResourceLimits got = resourceLimits();
        QCOMPARE(got.maxPixels, wanted.maxPixels);
        QCOMPARE(got.maxChannels, wanted.maxChannels);
        QCOMPARE(got.maxTileBytes, wanted.maxTileBytes);
        QCOMPARE(got.maxMemoryBytes, wanted.maxMemoryBytes);
    }

    void nonsenseIsRefused_data() {
        QTest::addColumn<ResourceLimits>("limits");
        QTest::addColumn<QString>("fragment");
        const ResourceLimits good;
        ResourceLimits l = good;
        l.maxPixels = 0;
        QTest::newRow("no pixels") << l << "maxPixels must be positive";
        l = good;
        l.maxChannels = -1;
        QTest::newRow("negative channels") << l << "maxChannels must be positive";
        l = good;
        l.maxTileBytes = 0;
        QTest::newRow("no tile") << l << "maxTileBytes must be positive";
        l = good;
        l.maxMemoryBytes = kMiB - 1;
        QTest::newRow("tiny memory") << l << "at least 1 MiB";
    }
    void nonsenseIsRefused() {
        QFETCH(ResourceLimits, limits);
        QFETCH(QString, fragment);
        LimitsGuard guard;
        const ResourceLimits before = resourceLimits();
        try {
            setResourceLimits(limits);
            QFAIL("accepted nonsense limits");
        } catch (const InvalidArgument& e) {
            QVERIFY2(QString(e.what()).contains(fragment), e.what());
        }
        QCOMPARE(resourceLimits().maxMemoryBytes, before.maxMemoryBytes);
        QCOMPARE(resourceLimits().maxPixels, before.maxPixels);
    }

    void concurrentAccessIsSafe() {
        LimitsGuard guard;
        std::vector<std::thread> threads;
        threads.reserve(4);
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([t] {
                for (int i = 0; i < 1000; ++i) {
                    ResourceLimits l = resourceLimits();
                    l.maxMemoryBytes = std::int64_t{t + 1} * 64 * kMiB;
                    l.maxTileBytes = l.maxMemoryBytes;
                    setResourceLimits(l);
                    const ResourceLimits seen = resourceLimits();
                    // Whole structs are set and read: both fields come from the same writer.
                    if (seen.maxTileBytes != seen.maxMemoryBytes)
                        std::abort();
                }
            });
        }
        for (std::thread& t : threads)
            t.join();
    }

    void parsesByteSizes_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("bytes");
        QTest::newRow("bytes") << "1024" << qint64{1024};
        QTest::newRow("B") << "1024B" << qint64{1024};
        QTest::newRow("K") << "512K" << qint64{512} * 1024;
        QTest::newRow("M") << "512M" << qint64{512 * kMiB};
        QTest::newRow("g") << "4g" << qint64{4 * kGiB};
        QTest::newRow("GiB") << "4GiB" << qint64{4 * kGiB};
        QTest::newRow("GB") << "4GB" << qint64{4 * kGiB};
        QTest::newRow("T") << "1T" << (qint64{1} << 40);
        QTest::newRow("zero") << "0" << qint64{0};
        QTest::newRow("largest") << "8388607T" << qint64{8388607} * (qint64{1} << 40);
    }
    void parsesByteSizes() {
        QFETCH(QString, text);
        QFETCH(qint64, bytes);
        const auto parsed = parseByteSize(text.toStdString());
        QVERIFY2(parsed.has_value(), qPrintable(text));
        QCOMPARE(*parsed, std::int64_t{bytes});
    }

    void refusesMalformedByteSizes() {
        for (const char* text : {"", "banana", "-1", "4X", "4GG", "1.5G", " 4G", "4G ", "G",
                                 "8388608T", "18446744073709551616", "4 G", "4Gi", "8P"}) {
            QVERIFY2(!parseByteSize(text), text);
        }
    }

    void formatsByteSizes() {
        QCOMPARE(formatByteSize(512), std::string("512 bytes"));
        QCOMPARE(formatByteSize(64 * kMiB), std::string("64 MiB"));
        QCOMPARE(formatByteSize(3 * kGiB / 2), std::string("1.5 GiB"));
        QCOMPARE(formatByteSize(std::int64_t{16} << 40), std::string("16 TiB"));
    }

    void checksNameTheLimit() {
        const ResourceLimits limits{100, 4, kMiB, 2 * kMiB};
        limits.checkPixels("a.tif", 10, 10);
        limits.checkChannels("a.tif", 4);
        limits.checkTile("a.tif", "tile", kMiB);
        limits.checkMemory("a.tif", 2 * kMiB);
        const auto refused = [](auto&& check, const char* fragment) {
            try {
                check();
                QFAIL(fragment);
            } catch (const LimitError& e) {
                const QString message = e.what();
                QVERIFY2(message.startsWith("a.tif "), e.what());
                QVERIFY2(message.contains(fragment), e.what());
                QVERIFY2(message.contains("setResourceLimits"), e.what());
            }
        };
        refused([&] { limits.checkPixels("a.tif", 11, 10); },
                "11x10 pixels, more than the limit of 100 pixels per level "
                "(ResourceLimits::maxPixels");
        refused([&] { limits.checkPixels("a.tif", std::int64_t{1} << 40, std::int64_t{1} << 40); },
                "limit of 100 pixels");
        refused([&] { limits.checkChannels("a.tif", 5); },
                "too many channels: 5, more than the limit of 4 (ResourceLimits::maxChannels");
        refused([&] { limits.checkTile("a.tif", "chunk", kMiB + 1); },
                "more than the limit of 1 MiB per chunk (ResourceLimits::maxTileBytes");
        refused([&] { limits.checkMemory("a.tif", 3 * kMiB); },
                "needs 3 MiB, more than the memory limit of 2 MiB (raise it with --max-memory");
        // A tile within maxTileBytes must still fit the memory limit.
        const ResourceLimits small{100, 4, 8 * kMiB, 2 * kMiB};
        refused([&] { small.checkTile("a.tif", "tile", 4 * kMiB); }, "memory limit of 2 MiB");
    }

    void readImageChecksBeforeAllocating() {
        LimitsGuard guard;
        setMaxMemory(64 * kMiB);
        // 64 GiB of pixels: refused at once, nothing allocated.
        const SyntheticSource huge(SyntheticSpec{{65536, 65536}, 4, DType::F32, 1});
        QVERIFY_THROWS_EXCEPTION(LimitError, readImage(huge));
        MemorySink sink;
        QVERIFY_THROWS_EXCEPTION(LimitError, sink.begin(huge.info()));
        const SyntheticSource small(SyntheticSpec{{256, 256}, 2, DType::U16, 1});
        QCOMPARE(readImage(small).info(), small.info());
    }

    void engineShrinksTheDefaultChunk() {
        const SyntheticSource source(SyntheticSpec{{2048, 2048}, 1, DType::U8, 3});
        const TileFlow flow =
            TileFlow(EngineOptions{.tile = {256, 256}}).configure(createOperation("sobel"));
        const ImageInfo output{{2048, 2048}, 1, DType::F32};
        ImageSink reference(output);
        const RunReport wide = flow.run(source, reference);

        LimitsGuard guard;
        setMaxMemory(kMiB);  // a 2048^2 chunk needs 24 MiB of buffers, a 256^2 one 0.4 MiB
        ImageSink limited(output);
        const RunReport narrow = flow.run(source, limited);
        QCOMPARE(wide.stats.chunksTotal, std::int64_t{1});
        QCOMPARE(narrow.stats.chunksTotal, std::int64_t{64});
        QVERIFY(sameBytes(reference.image, limited.image));
    }

    void engineRefusesChunksThatCannotFit() {
        const SyntheticSource source(SyntheticSpec{{2048, 2048}, 8, DType::F32, 3});
        LimitsGuard guard;
        setMaxMemory(16 * kMiB);  // one 1024^2 tile of 8 f32 channels is 32 MiB
        ImageSink sink(ImageInfo{{1, 1}, 1, DType::F32});
        for (const Size chunk : {Size{0, 0}, Size{2048, 2048}}) {
            const TileFlow flow = TileFlow(EngineOptions{.tile = {1024, 1024}, .chunk = chunk})
                                      .configure(createOperation("sobel"));
            try {
                flow.run(source, sink);
                QFAIL("ran with chunk buffers over the memory limit");
            } catch (const LimitError& e) {
                QVERIFY2(QString(e.what()).contains("memory limit of 16 MiB"), e.what());
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestLimits)
#include "test_limits.moc"
