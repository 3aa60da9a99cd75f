// ShareProgress: the fraction of a rank's share done, counting the pixels of the statistics
// passes over the whole image and then those of the share's regions. Expected fractions are
// worked out by hand below.
#include <QtTest>

#include "share_progress.hpp"

using namespace tileflow;
using tileflow::mpi::ShareProgress;

namespace {

RunStats pixels(std::int64_t done, std::int64_t total) {
    RunStats stats;
    stats.pixelsDone = done;
    stats.pixelsTotal = total;
    return stats;
}

}  // namespace

class TestShareProgress : public QObject {
    Q_OBJECT

private slots:
    // A 200x100 image, two statistics passes (40000 pixels), a share of two regions of
    // 100x50 and 100x30 (8000 pixels): 48000 pixels in all.
    void countsTheStatisticsPassesThenTheRegions() {
        ShareProgress progress;
        progress.setRegions({{0, 0, 100, 50}, {0, 50, 100, 30}});
        QCOMPARE(progress.fraction(), 0.0);
        progress.onChunkEnd({}, pixels(12000, 40000));
        QCOMPARE(progress.fraction(), 12000.0 / 48000);
        progress.onChunkEnd({}, pixels(40000, 40000));
        QCOMPARE(progress.fraction(), 40000.0 / 48000);
        // The first region's run: half of it done.
        progress.onStart(pixels(0, 5000));
        progress.onChunkEnd({}, pixels(2500, 5000));
        QCOMPARE(progress.fraction(), (40000.0 + 2500) / 48000);
        // The second region's run: a third of it done.
        progress.onStart(pixels(0, 3000));
        progress.onChunkEnd({}, pixels(1000, 3000));
        QCOMPARE(progress.fraction(), (40000.0 + 5000 + 1000) / 48000);
        progress.onChunkEnd({}, pixels(3000, 3000));
        QCOMPARE(progress.fraction(), 1.0);
    }

    // Without statistics passes the regions are all there is.
    void withoutStatisticsTheRegionsAreAll() {
        ShareProgress progress;
        progress.setRegions({{0, 0, 10, 10}, {0, 10, 10, 30}});
        progress.onStart(pixels(0, 100));
        progress.onChunkEnd({}, pixels(100, 100));
        QCOMPARE(progress.fraction(), 0.25);
        progress.onStart(pixels(0, 300));
        QCOMPARE(progress.fraction(), 0.25);
        progress.onChunkEnd({}, pixels(150, 300));
        QCOMPARE(progress.fraction(), 0.625);
    }

    // A rank whose share is empty has nothing to count until it says it is done.
    void anEmptyShareIsDoneWhenFinished() {
        ShareProgress progress;
        progress.setRegions({});
        progress.onChunkEnd({}, pixels(0, 0));
        QCOMPARE(progress.fraction(), 0.0);
        progress.finish();
        QCOMPARE(progress.fraction(), 1.0);
    }
};

QTEST_GUILESS_MAIN(TestShareProgress)
#include "test_share_progress.moc"
