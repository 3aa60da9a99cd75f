// CallbackSource: a host's region reader as a tileflow::Source the engine can run on.
#include <QtTest>
#include <atomic>

#include "test_images.hpp"
#include "tileflow/engine.hpp"
#include "tileflow/error.hpp"
#include "tileflow/plugin/callback_source.hpp"
#include "tileflow/registry.hpp"

using namespace tileflow;
using tileflow::plugin::CallbackSource;

class TestCallbackSource : public QObject {
    Q_OBJECT

private slots:
    void engineRunsOnTheCallback() {
        const Image image = testing::randomImage(DType::U16, 2, 300, 200, 7);
        std::atomic<int> reads = 0;
        CallbackSource source(image.info(), [&](int level, const Rect& region, ImageView out) {
            if (level != 0)
                throw IoError("read level " + std::to_string(level) + ", expected 0");
            ++reads;
            copyPixels(image.view().region(region), out);
        });
        TileFlow flow({.tile = {64, 64}, .chunk = {128, 128}});
        flow.configure(createOperation("gaussian", {{"sigma", "1.5"}}));
        MemorySink sink;
        flow.run(source, sink);
        QVERIFY(reads > 1);
        QVERIFY(samePixels(sink.take(), flow.run(image)));
    }

    void servesItsLevels() {
        const ImageInfo info{{100, 80}, 1, DType::U8};
        std::vector<int> levelsRead;
        CallbackSource source(
            info, [&](int level, const Rect&, ImageView) { levelsRead.push_back(level); },
            {{{100, 80}, 1}, {{50, 40}, 2}});
        QCOMPARE(source.metadata().levels.size(), std::size_t{2});
        QCOMPARE(source.metadata().format, std::string("callback"));
        Image out(DType::U8, 1, 50, 40);
        source.readLevel(1, {0, 0, 50, 40}, out);
        QCOMPARE(levelsRead, std::vector<int>{1});
    }

    void refusesRequestsOutsideTheImage() {
        bool called = false;
        CallbackSource source({{100, 80}, 1, DType::U8},
                              [&](int, const Rect&, ImageView) { called = true; });
        Image out(DType::U8, 1, 10, 10);
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, source.read({95, 0, 10, 10}, out));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, source.readLevel(1, {0, 0, 10, 10}, out));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, source.read({0, 0, 5, 5}, out));
        QVERIFY(!called);
    }

    void refusesInconsistentLevels() {
        QVERIFY_THROWS_EXCEPTION(
            InvalidArgument, CallbackSource({{100, 80}, 1, DType::U8},
                                            [](int, const Rect&, ImageView) {}, {{{50, 40}, 2}}));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument,
                                 CallbackSource({{100, 80}, 1, DType::U8}, nullptr));
    }
};

QTEST_GUILESS_MAIN(TestCallbackSource)
#include "test_callback_source.moc"
