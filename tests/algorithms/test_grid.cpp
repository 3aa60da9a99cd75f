// The tile grid: cores partition the image, halos are clipped cores grown by the overlap.
#include <QtTest>
#include <vector>

#include "tileflow/error.hpp"
#include "tileflow/grid.hpp"

using namespace tileflow;

class TestGrid : public QObject {
    Q_OBJECT

private slots:
    void coresPartitionEveryImage() {
        // Many sizes, including 1x1, primes, sizes below, at and just over a tile multiple.
        const std::vector<std::int64_t> sizes{1,  2,  3,  7,   31,  32,  33, 63,
                                              64, 65, 97, 127, 128, 129, 251};
        const std::vector<Size> tiles{{1, 1}, {5, 3}, {16, 16}, {32, 64}, {64, 64}, {300, 7}};
        for (Size tile : tiles) {
            for (std::int64_t w : sizes) {
                for (std::int64_t h :
                     {std::int64_t{1}, std::int64_t{13}, std::int64_t{64}, std::int64_t{101}}) {
                    const std::int64_t overlap = std::min(tile.width, tile.height) - 1;
                    const Grid grid({w, h}, {tile, overlap});
                    std::vector<int> covered(static_cast<std::size_t>(w * h), 0);
                    std::int64_t count = 0;
                    for (const Tile& t : grid) {
                        QCOMPARE(t.index, count++);
                        QVERIFY(!t.core.empty());
                        for (std::int64_t y = t.core.y; y < t.core.bottom(); ++y) {
                            for (std::int64_t x = t.core.x; x < t.core.right(); ++x) {
                                ++covered[static_cast<std::size_t>(y * w + x)];
                            }
                        }
                        // Halo: the core grown by the overlap, clipped at the image border.
                        const Rect expected{std::max<std::int64_t>(0, t.core.x - overlap),
                                            std::max<std::int64_t>(0, t.core.y - overlap), 0, 0};
                        QCOMPARE(t.halo.x, expected.x);
                        QCOMPARE(t.halo.y, expected.y);
                        QCOMPARE(t.halo.right(), std::min(w, t.core.right() + overlap));
                        QCOMPARE(t.halo.bottom(), std::min(h, t.core.bottom() + overlap));
                    }
                    QCOMPARE(count, grid.count());
                    for (int c : covered)
                        QCOMPARE(c, 1);
                }
            }
        }
    }

    void tileSmallerThanImageAndLargerThanImage() {
        const Grid big({10, 7}, {{512, 512}, 4});
        QCOMPARE(big.count(), std::int64_t{1});
        QCOMPARE(big.tile(0).core, (Rect{0, 0, 10, 7}));
        QCOMPARE(big.tile(0).halo, (Rect{0, 0, 10, 7}));
        const Grid g({100, 50}, {{32, 20}, 3});
        QCOMPARE(g.cols(), std::int64_t{4});
        QCOMPARE(g.rows(), std::int64_t{3});
        QCOMPARE(g.tile(3, 2).core, (Rect{96, 40, 4, 10}));
        QCOMPARE(g.tile(3, 2).halo, (Rect{93, 37, 7, 13}));
        QCOMPARE(g.tile(1, 1).halo, (Rect{29, 17, 38, 26}));
    }

    void hugeGridsAreLazy() {
        // 10^6 tiles: the grid is a few integers; tiles come out on demand.
        const Grid g({1'000'000, 1'000'000}, {{1000, 1000}, 8});
        QCOMPARE(g.count(), std::int64_t{1'000'000});
        const Tile last = g.tile(g.count() - 1);
        QCOMPARE(last.core, (Rect{999'000, 999'000, 1000, 1000}));
        QCOMPARE(last.halo, (Rect{998'992, 998'992, 1008, 1008}));
        QVERIFY(sizeof(Grid) < 128);
    }

    void badSpecsAreRefused_data() {
        QTest::addColumn<qint64>("tileW");
        QTest::addColumn<qint64>("tileH");
        QTest::addColumn<qint64>("overlap");
        QTest::addColumn<qint64>("width");
        QTest::addColumn<QString>("message");
        QTest::newRow("zero tile")
            << qint64{0} << qint64{16} << qint64{0} << qint64{10} << "tile size must be positive";
        QTest::newRow("negative overlap") << qint64{16} << qint64{16} << qint64{-1} << qint64{10}
                                          << "overlap must not be negative";
        QTest::newRow("overlap = tile") << qint64{16} << qint64{16} << qint64{16} << qint64{10}
                                        << "must be smaller than the tile size";
        QTest::newRow("empty image")
            << qint64{16} << qint64{16} << qint64{2} << qint64{0} << "cannot tile an empty image";
    }
    void badSpecsAreRefused() {
        QFETCH(qint64, tileW);
        QFETCH(qint64, tileH);
        QFETCH(qint64, overlap);
        QFETCH(qint64, width);
        QFETCH(QString, message);
        try {
            Grid({width, 10}, {{tileW, tileH}, overlap});
            QFAIL("expected InvalidArgument");
        } catch (const InvalidArgument& e) {
            QVERIFY2(QString(e.what()).contains(message), e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestGrid)
#include "test_grid.moc"
