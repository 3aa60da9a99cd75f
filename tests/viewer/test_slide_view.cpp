// The viewer's slide view: view maths, level choice, background tile loading, coarse
// fallback, the display cache's bound, and a GUI thread that never waits for reads.
#include <QElapsedTimer>
#include <QScopeGuard>
#include <QTest>
#include <QTimer>
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "gui/channel_composite.hpp"
#include "gui/display_cache.hpp"
#include "gui/display_pyramid.hpp"
#include "gui/slide_view.hpp"
#include "gui/view_transform.hpp"
#include "sanitizers.hpp"
#include "tileflow/open.hpp"
#include "tileflow/plugin/callback_source.hpp"
#include "tileflow/synthetic.hpp"

using tileflow::gui::DisplayCache;
using tileflow::gui::DisplayPyramid;
using tileflow::gui::SlideView;
using tileflow::gui::TileKey;
using tileflow::gui::ViewTransform;

namespace {

const QRgb kBackground = qRgb(40, 40, 40);

bool near(const QPointF& a, const QPointF& b) {
    return std::abs(a.x() - b.x()) < 1e-6 && std::abs(a.y() - b.y()) < 1e-6;
}

// A synthetic image whose level-0 reads of more than `gateArea` pixels wait until the gate
// opens (reduced levels far enough down sample single pixels and pass).
class GatedSource final : public tileflow::Source {
public:
    GatedSource(const std::string& spec, std::int64_t gateArea)
        : inner_(tileflow::SyntheticSpec::parse(spec)), gateArea_(gateArea) {}
    tileflow::ImageInfo info() const override { return inner_.info(); }
    void read(const tileflow::Rect& region, tileflow::ImageView out) const override {
        while (region.area() > gateArea_ && !open_)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        inner_.read(region, out);
    }
    void open() { open_ = true; }
    void close() { open_ = false; }

private:
    tileflow::SyntheticSource inner_;
    std::int64_t gateArea_;
    std::atomic<bool> open_ = false;
};

// A 2048² one-channel pyramid (2048, 1024, 512, 256) whose every read takes 200 ms.
std::shared_ptr<tileflow::Source> slowPyramid() {
    std::vector<tileflow::SourceLevel> levels;
    for (std::int64_t side = 2048, ds = 1; side >= 256; side /= 2, ds *= 2)
        levels.push_back({{side, side}, static_cast<double>(ds)});
    return std::make_shared<tileflow::plugin::CallbackSource>(
        tileflow::ImageInfo{{2048, 2048}, 1, tileflow::DType::U8},
        [](int level, const tileflow::Rect&, tileflow::ImageView out) {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            for (std::int64_t y = 0; y < out.height(); ++y)
                std::fill_n(out.row<std::uint8_t>(0, y), out.width(),
                            static_cast<std::uint8_t>(60 * (level + 1)));
        },
        levels);
}

double backgroundFraction(const QImage& image) {
    std::int64_t count = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x)
            count += image.pixel(x, y) == kBackground ? 1 : 0;
    }
    return static_cast<double>(count) / (image.width() * image.height());
}

}  // namespace

class TestSlideView : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<SlideView> view_;

    void show(std::shared_ptr<tileflow::Source> source, QSize size = {512, 384},
              std::int64_t cacheBytes = std::int64_t{256} << 20) {
        view_ = std::make_unique<SlideView>(nullptr, cacheBytes);
        view_->resize(size);
        view_->show();
        QVERIFY(QTest::qWaitForWindowExposed(view_.get()));
        view_->setSource(std::move(source));
    }

    // True when every tile of `level` meeting the view is held (and current, if asked).
    bool holdsAll(int level, bool current = false) const {
        for (const TileKey& key :
             view_->pyramid()->tilesMeeting(level, view_->transform().visibleLevel0())) {
            if (current ? !view_->cache().isCurrent(key) : !view_->cache().contains(key))
                return false;
        }
        return true;
    }

private slots:
    void cleanup() { view_.reset(); }

    void zoomAroundKeepsThePointFixed() {
        ViewTransform t{{5000, 3000}, 0.1, {800, 600}};
        const QPointF cursor(123, 456);
        const QPointF under = t.toLevel0(cursor);
        t.zoomAround(cursor, 1.7);
        QVERIFY(near(t.toLevel0(cursor), under));
        QCOMPARE(t.scale, 0.17);
        t.zoomAround(cursor, 1 / 3.0);
        QVERIFY(near(t.toLevel0(cursor), under));
        QVERIFY(near(t.toScreen(under), cursor));
    }

    void fitShowsTheWholeImageAndOneToOneIsPixelForPixel() {
        ViewTransform t{{0, 0}, 3, {800, 600}};
        t.fit({10000, 5000});
        QCOMPARE(t.scale, 0.08);
        QVERIFY(near(t.centre, {5000, 2500}));
        QVERIFY(t.visibleLevel0().contains(QRectF(0, 0, 10000, 5000)));
        t.oneToOne();
        QCOMPARE(t.scale, 1.0);
        QVERIFY(near(t.toScreen({5010, 2520}) - t.toScreen({5000, 2500}), {10, 20}));
        t.panBy({30, -40});
        QVERIFY(near(t.centre, {4970, 2540}));
    }

    void levelChoiceTakesTheCoarsestLevelNotStretched() {
        const auto source = tileflow::openSource("synthetic:65536x65536x8:u16");
        const DisplayPyramid pyramid(*source);
        QCOMPARE(pyramid.levels().size(), std::size_t{9});  // 65536 .. 256, reduced on the fly
        QCOMPARE(pyramid.levels().back().size.width, std::int64_t{256});
        QCOMPARE(pyramid.levels().back().factor, std::int64_t{256});
        QCOMPARE(pyramid.levelForScale(4), 0);
        QCOMPARE(pyramid.levelForScale(1), 0);
        QCOMPARE(pyramid.levelForScale(0.5), 1);
        QCOMPARE(pyramid.levelForScale(0.3), 1);
        QCOMPARE(pyramid.levelForScale(0.25), 2);
        QCOMPARE(pyramid.levelForScale(1e-4), 8);

        const DisplayPyramid own(*slowPyramid());  // a pyramid of its own: nothing added
        QCOMPARE(own.levels().size(), std::size_t{4});
        QCOMPARE(own.levels().back().factor, std::int64_t{1});
        QCOMPARE(own.levelForScale(0.2), 2);
    }

    void tilesLoadInTheBackgroundAndShowTheComposite() {
        const std::string spec = "synthetic:1024x768x3:u16:1";
        show(tileflow::openSource(spec));
        view_->setCentreAndScale({256, 192}, 1);  // screen pixel = level-0 pixel
        QCOMPARE(view_->currentLevel(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(holdsAll(0), 10000);
        const QImage shown = view_->grab().toImage().convertToFormat(QImage::Format_RGB32);
        const tileflow::Image pixels =
            tileflow::SyntheticSource(tileflow::SyntheticSpec::parse(spec))
                .render({0, 0, 512, 384});
        const QImage expected = tileflow::gui::compositeChannels(pixels.view());
        for (const QPoint p : {QPoint(3, 5), QPoint(255, 255), QPoint(256, 100), QPoint(300, 200),
                               QPoint(511, 383)}) {
            QCOMPARE(shown.pixel(p), expected.pixel(p));
        }
        QVERIFY(backgroundFraction(shown) < 0.01);
    }

    void coarseTilesShowUntilFineOnesArrive() {
        auto source = std::make_shared<GatedSource>("synthetic:4096x4096x1:u8:2", 16);
        show(source);
        const int coarsest = view_->pyramid()->coarsest();
        QTRY_VERIFY_WITH_TIMEOUT(view_->cache().contains(TileKey{coarsest, 0, 0}), 10000);
        view_->setCentreAndScale({2048, 2048}, 1);
        QTest::qWait(100);
        QVERIFY(!holdsAll(0));  // the fine reads wait at the gate
        const QImage coarse = view_->grab().toImage().convertToFormat(QImage::Format_RGB32);
        QVERIFY2(backgroundFraction(coarse) < 0.5, "the coarse level stands in");
        source->open();
        QTRY_VERIFY_WITH_TIMEOUT(holdsAll(0), 10000);
        const QImage fine = view_->grab().toImage().convertToFormat(QImage::Format_RGB32);
        QVERIFY(fine != coarse);
    }

    void aChannelChangeKeepsTheTilesShownUntilRecomposited() {
        const std::string spec = "synthetic:4096x4096x1:u8:2";
        auto source = std::make_shared<GatedSource>(spec, 16);
        source->open();
        show(source);
        view_->setCentreAndScale({2048, 2048}, 1);
        QTRY_VERIFY_WITH_TIMEOUT(holdsAll(0), 10000);
        const QImage before = view_->grab().toImage().convertToFormat(QImage::Format_RGB32);

        source->close();
        // Reopened whatever happens: the loader's destructor waits for the blocked reads.
        const auto reopen = qScopeGuard([&] { source->open(); });
        tileflow::gui::ChannelDisplays channels = view_->channels();
        channels[0].colour = QColor(255, 0, 0);
        view_->setChannels(channels);
        QTest::qWait(100);
        // The old composite stays on screen while the new one is read, not the coarse level.
        QCOMPARE(view_->grab().toImage().convertToFormat(QImage::Format_RGB32), before);

        source->open();
        const tileflow::Image pixels =
            tileflow::SyntheticSource(tileflow::SyntheticSpec::parse(spec))
                .render({2048 - 256, 2048 - 192, 512, 384});
        const QImage expected = tileflow::gui::compositeChannels(pixels.view(), channels);
        QTRY_VERIFY_WITH_TIMEOUT(holdsAll(0, true), 10000);
        const QImage after = view_->grab().toImage().convertToFormat(QImage::Format_RGB32);
        for (const QPoint p : {QPoint(3, 5), QPoint(255, 255), QPoint(511, 383)})
            QCOMPARE(after.pixel(p), expected.pixel(p));
    }

    void displayCacheStaysUnderItsBoundWithTheCoarsestPinned() {
        DisplayCache cache(std::int64_t{1} << 20);  // four 256² RGB32 tiles
        cache.setPinnedLevel(5);
        QImage tile(256, 256, QImage::Format_RGB32);
        tile.fill(Qt::red);
        cache.insert({5, 0, 0}, tile);
        for (int i = 0; i < 20; ++i) {
            cache.insert({0, i, 0}, tile);
            QVERIFY(cache.bytes() <= cache.capacity());
        }
        QVERIFY(cache.contains({5, 0, 0}));
        QVERIFY(cache.contains({0, 19, 0}));
        QVERIFY(!cache.contains({0, 0, 0}));
        QCOMPARE(cache.size(), std::size_t{4});

        // The same in a view that pans across a large image.
        show(tileflow::openSource("synthetic:8192x8192x1:u8:3"), {512, 384}, std::int64_t{4} << 20);
        const int coarsest = view_->pyramid()->coarsest();
        for (int step = 0; step < 6; ++step) {
            view_->setCentreAndScale({256.0 + 1200 * step, 192.0 + 1200 * step}, 1);
            QTRY_VERIFY_WITH_TIMEOUT(holdsAll(0), 10000);
            QVERIFY(view_->cache().bytes() <= view_->cache().capacity());
        }
        QVERIFY(view_->cache().contains({coarsest, 0, 0}));
    }

    void theGuiThreadNeverWaitsForReads() {
        show(slowPyramid());
        QElapsedTimer clock;
        clock.start();
        qint64 last = 0;
        qint64 longestGap = 0;
        QTimer ticker;
        ticker.setInterval(10);
        connect(&ticker, &QTimer::timeout, [&] {
            longestGap = std::max(longestGap, clock.elapsed() - last);
            last = clock.elapsed();
        });
        ticker.start();
        for (int step = 0; step < 10; ++step) {
            view_->setCentreAndScale({300.0 + 100 * step, 300.0 + 50 * step}, 1.0 / (1 + step % 3));
            view_->repaint();
            QTest::qWait(150);
        }
        ticker.stop();
        // A read takes 200 ms: a GUI thread that waited for one would miss that many ticks.
        // Painting alone stays within 50 ms, slower under a sanitizer.
        const qint64 boundMs = tileflow::testing::kSanitizer ? 150 : 50;
        QVERIFY2(longestGap < boundMs, qPrintable(QString::number(longestGap)));
        QVERIFY(view_->loader().pending() > 0);  // reads were still on their way
    }
};

QTEST_MAIN(TestSlideView)
#include "test_slide_view.moc"
