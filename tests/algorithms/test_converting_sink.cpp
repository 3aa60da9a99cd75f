// Converting results to another dtype on the way to a sink.
#include <QtTest>
#include <cmath>
#include <limits>

#include "test_images.hpp"
#include "tileflow/converting_sink.hpp"
#include "tileflow/error.hpp"

using namespace tileflow;
using tileflow::testing::at;

namespace {

Image convert(const Image& in, DType to,
              std::optional<std::pair<double, double>> range = std::nullopt) {
    MemorySink memory;
    ConvertingSink sink(memory, to, range);
    sink.begin(in.info());
    // Two writes, as the engine delivers chunks.
    const std::int64_t half = in.width() / 2;
    sink.write({0, 0, half, in.height()}, in.view().region({0, 0, half, in.height()}));
    sink.write({half, 0, in.width() - half, in.height()},
               in.view().region({half, 0, in.width() - half, in.height()}));
    sink.commit();
    return memory.take();
}

}  // namespace

class TestConvertingSink : public QObject {
    Q_OBJECT

private slots:
    void unitFloatToBytes() {
        Image in(DType::F32, 1, 6, 1);
        const float values[] = {0.0f, 0.25f, 0.5f, 1.0f, 1.7f, -0.3f};
        for (int x = 0; x < 6; ++x)
            in.view().row<float>(0, 0)[x] = values[x];
        const Image out = convert(in, DType::U8);
        QCOMPARE(out.dtype(), DType::U8);
        // 255 * v, rounded to nearest (ties to even), clipped.
        const int expected[] = {0, 64, 128, 255, 255, 0};
        for (int x = 0; x < 6; ++x)
            QCOMPARE(int(at<std::uint8_t>(out, 0, x, 0)), expected[x]);
    }

    void integerRangesMapEndToEnd() {
        Image in(DType::U16, 2, 3, 1);
        const std::uint16_t values[] = {0, 257, 65535};
        for (int c = 0; c < 2; ++c) {
            for (int x = 0; x < 3; ++x)
                in.view().row<std::uint16_t>(c, 0)[x] = values[x];
        }
        const Image out = convert(in, DType::U8);
        for (int c = 0; c < 2; ++c) {
            QCOMPARE(int(at<std::uint8_t>(out, c, 0, 0)), 0);
            QCOMPARE(int(at<std::uint8_t>(out, c, 1, 0)), 1);
            QCOMPARE(int(at<std::uint8_t>(out, c, 2, 0)), 255);
        }
    }

    void explicitRangeAndNan() {
        Image in(DType::F32, 1, 4, 1);
        const float values[] = {100.0f, 150.0f, 300.0f, std::numeric_limits<float>::quiet_NaN()};
        for (int x = 0; x < 4; ++x)
            in.view().row<float>(0, 0)[x] = values[x];
        const Image out = convert(in, DType::U16, std::pair{100.0, 200.0});
        QCOMPARE(int(at<std::uint16_t>(out, 0, 0, 0)), 0);
        QCOMPARE(int(at<std::uint16_t>(out, 0, 1, 0)), 32768);  // 65535 / 2 = 32767.5 -> even
        QCOMPARE(int(at<std::uint16_t>(out, 0, 2, 0)), 65535);
        QCOMPARE(int(at<std::uint16_t>(out, 0, 3, 0)), 0);
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, convert(in, DType::U8, std::pair{5.0, 5.0}));
    }
};

QTEST_APPLESS_MAIN(TestConvertingSink)
#include "test_converting_sink.moc"
