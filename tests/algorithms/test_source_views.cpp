// Level, region and channel views of a source; the decoded-tile cache.
#include <QtTest>
#include <atomic>
#include <thread>

#include "test_images.hpp"
#include "tileflow/error.hpp"
#include "tileflow/source_views.hpp"
#include "tileflow/tile_cache.hpp"

using namespace tileflow;
using tileflow::testing::at;
using tileflow::testing::randomImage;

namespace {

// A two-level pyramid over an image in memory: level 1 keeps every second pixel.
class Pyramid final : public Source {
public:
    explicit Pyramid(ConstImageView base) : base_(base) {}
    ImageInfo info() const override { return base_.info(); }
    void read(const Rect& r, ImageView out) const override { copyPixels(base_.region(r), out); }
    SourceMetadata metadata() const override {
        SourceMetadata m = Source::metadata();
        m.levels.push_back({{base_.width() / 2, base_.height() / 2}, 2});
        m.micronsPerPixel = 0.25;
        return m;
    }
    void readLevel(int level, const Rect& r, ImageView out) const override {
        if (level == 0)
            return read(r, out);
        for (int c = 0; c < out.channels(); ++c) {
            for (std::int64_t y = 0; y < r.height; ++y) {
                for (std::int64_t x = 0; x < r.width; ++x) {
                    out.row<std::uint16_t>(c, y)[x] =
                        at<std::uint16_t>(base_, c, 2 * (r.x + x), 2 * (r.y + y));
                }
            }
        }
    }

private:
    ConstImageView base_;
};

}  // namespace

class TestSourceViews : public QObject {
    Q_OBJECT

private slots:
    void levelRegionAndChannelsCompose() {
        const Image base = randomImage(DType::U16, 3, 64, 48, 1);
        const Pyramid pyramid(base);
        const LevelSource level(pyramid, 1);
        QCOMPARE(level.info().size, (Size{32, 24}));
        QCOMPARE(level.metadata().levels.size(), std::size_t{1});
        QCOMPARE(level.metadata().micronsPerPixel.value(), 0.5);
        const RegionSource region(level, {5, 4, 20, 10});
        const ChannelSource channels(region, {2, 0});
        QCOMPARE(channels.info(), (ImageInfo{{20, 10}, 2, DType::U16}));
        QCOMPARE(channels.metadata().channelNames, (std::vector<std::string>{"C2", "C0"}));
        Image out(DType::U16, 2, 10, 6);
        channels.read({3, 2, 10, 6}, out.view());
        for (int c = 0; c < 2; ++c) {
            const int from = c == 0 ? 2 : 0;
            for (std::int64_t y = 0; y < 6; ++y) {
                for (std::int64_t x = 0; x < 10; ++x) {
                    // Level 1 pixel (5 + 3 + x, 4 + 2 + y) is base pixel twice that.
                    QCOMPARE(at<std::uint16_t>(out, c, x, y),
                             at<std::uint16_t>(base, from, 2 * (8 + x), 2 * (6 + y)));
                }
            }
        }
    }

    // Views keep the coarser levels their metadata lists readable.
    void viewsReadTheLevelsTheyList() {
        const Image base = randomImage(DType::U16, 3, 64, 48, 2);
        const Pyramid pyramid(base);
        const ChannelSource channels(pyramid, {1});
        QCOMPARE(channels.metadata().levels.size(), std::size_t{2});
        Image coarse(DType::U16, 1, 8, 5);
        channels.readLevel(1, {3, 4, 8, 5}, coarse.view());
        for (std::int64_t y = 0; y < 5; ++y) {
            for (std::int64_t x = 0; x < 8; ++x)
                QCOMPARE(at<std::uint16_t>(coarse, 0, x, y),
                         at<std::uint16_t>(base, 1, 2 * (3 + x), 2 * (4 + y)));
        }
        const LevelSource full(pyramid, 0);
        Image viaLevel(DType::U16, 3, 8, 5);
        full.readLevel(1, {3, 4, 8, 5}, viaLevel.view());
        QCOMPARE(at<std::uint16_t>(viaLevel, 1, 7, 4), at<std::uint16_t>(base, 1, 20, 16));
        QVERIFY_THROWS_EXCEPTION(
            InvalidArgument, LevelSource(pyramid, 1).readLevel(1, {0, 0, 1, 1}, viaLevel.view()));
    }

    void levelCoversLevelZeroRectangles() {
        const SourceLevel level{{25, 13}, 4};  // of a 100 x 50 image
        QCOMPARE(level.cover({0, 0, 4, 4}), (Rect{0, 0, 1, 1}));
        QCOMPARE(level.cover({3, 5, 2, 8}), (Rect{0, 1, 2, 3}));  // rounded outwards
        QCOMPARE(level.cover({96, 48, 4, 2}), (Rect{24, 12, 1, 1}));
        QCOMPARE(level.cover({90, 40, 50, 50}), (Rect{22, 10, 3, 3}));  // clipped to the level
        QVERIFY(level.cover({200, 0, 10, 10}).empty());
        const SourceLevel odd{{34, 17}, 2.94};  // downsamples need not be integers
        QCOMPARE(odd.cover({10, 10, 10, 10}), (Rect{3, 3, 4, 4}));
        QVERIFY(level.cover({5, 5, 0, 3}).empty());
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, (SourceLevel{{25, 13}, 0}).cover({0, 0, 1, 1}));
    }

    void invalidSelectionsAreRefused() {
        const Image base = randomImage(DType::U16, 3, 64, 48, 2);
        const Pyramid pyramid(base);
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, LevelSource(pyramid, 2));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, RegionSource(pyramid, {60, 0, 10, 10}));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, RegionSource(pyramid, {0, 0, 0, 10}));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, ChannelSource(pyramid, {3}));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, ChannelSource(pyramid, {}));
        try {
            LevelSource(pyramid, 5);
        } catch (const InvalidArgument& e) {
            QVERIFY2(QString(e.what()).contains("has 2 levels (0 to 1)"), e.what());
        }
    }

    void cacheKeepsRecentTilesWithinItsCapacity() {
        TileCache cache(1000);
        int loads = 0;
        auto load = [&](std::size_t bytes) {
            return [&loads, bytes] {
                ++loads;
                return TileCache::Bytes(bytes, std::byte{7});
            };
        };
        cache.get({0, 1}, load(400));
        cache.get({0, 2}, load(400));
        cache.get({0, 1}, load(400));  // hit: 1 becomes the most recent
        QCOMPARE(loads, 2);
        cache.get({0, 3}, load(400));  // over capacity: 2 is evicted, not 1
        QCOMPARE(cache.heldBytes(), std::int64_t{800});
        cache.get({0, 1}, load(400));
        QCOMPARE(loads, 3);
        cache.get({0, 2}, load(400));
        QCOMPARE(loads, 4);
        const auto big = cache.get({1, 0}, load(5000));  // larger than the cache: not kept
        QCOMPARE(big->size(), std::size_t{5000});
        QVERIFY(cache.heldBytes() <= 1000);
        QCOMPARE(cache.hits(), std::int64_t{2});
        QCOMPARE(cache.misses(), std::int64_t{5});
    }

    void cacheLoaderErrorsPropagateAndCacheNothing() {
        TileCache cache(1000);
        QVERIFY_THROWS_EXCEPTION(
            IoError, cache.get({0, 0}, []() -> TileCache::Bytes { throw IoError("bad tile"); }));
        QCOMPARE(cache.heldBytes(), std::int64_t{0});
    }

    void cacheIsSafeUnderConcurrentUse() {
        TileCache cache(std::int64_t{64} * 100);
        std::atomic<int> wrong{0};
        std::vector<std::thread> threads;
        threads.reserve(4);
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < 5000; ++i) {
                    const auto index = static_cast<std::uint64_t>((i * 7 + t) % 300);
                    const auto tile = cache.get({0, index}, [index] {
                        return TileCache::Bytes(64, static_cast<std::byte>(index));
                    });
                    if ((*tile)[0] != static_cast<std::byte>(index))
                        ++wrong;
                }
            });
        }
        for (auto& t : threads)
            t.join();
        QCOMPARE(wrong.load(), 0);
        QVERIFY(cache.heldBytes() <= std::int64_t{64} * 100);
    }
};

QTEST_APPLESS_MAIN(TestSourceViews)
#include "test_source_views.moc"
