// tissue: HSV saturation >= saturation and max(R, G, B) <= max_brightness, per pixel.
#include <QtTest>
#include <array>
#include <vector>

#include "test_images.hpp"
#include "tiled_runs.hpp"
#include "tileflow/error.hpp"
#include "tileflow/registry.hpp"

using namespace tileflow;
using namespace tileflow::testing;

namespace {

struct Pixel {
    std::array<int, 3> rgb;
    bool tissue;
    bool boundary;  // exactly on a threshold in u8/u16 arithmetic
};

// Hand-computed with the defaults saturation 0.07, max_brightness 0.92.
const std::vector<Pixel> kPixels{
    {{255, 255, 255}, false, false},  // white glass: S = 0, V = 1
    {{200, 120, 180}, true, false},   // S = 80 / 200 = 0.4, V = 0.78
    {{100, 93, 93}, true, true},      // S = 7 / 100 = 0.07 exactly: kept (>=)
    {{100, 94, 94}, false, false},    // S = 0.06
    {{234, 150, 200}, true, false},   // V = 234 / 255 = 0.9176
    {{235, 150, 200}, false, false},  // V = 235 / 255 = 0.9216: too bright
    {{0, 0, 0}, false, false},        // black: S = 0
    {{10, 0, 0}, true, false},        // dark red: S = 1
    {{90, 160, 60}, true, false},     // S = 100 / 160 = 0.625
    {{200, 200, 190}, false, false},  // S = 0.05: grey dust
};

Image pixelRow(DType dtype, int channels) {
    Image image = Image::zeros({{static_cast<std::int64_t>(kPixels.size()), 1}, channels, dtype});
    for (std::size_t i = 0; i < kPixels.size(); ++i) {
        const auto x = static_cast<std::int64_t>(i);
        for (int c = 0; c < 3; ++c) {
            const int v = kPixels[i].rgb[static_cast<std::size_t>(c)];
            switch (dtype) {
                case DType::U8:
                    image.view().row<std::uint8_t>(c, 0)[x] = static_cast<std::uint8_t>(v);
                    break;
                case DType::U16:
                    image.view().row<std::uint16_t>(c, 0)[x] = static_cast<std::uint16_t>(v * 257);
                    break;
                default:
                    image.view().row<float>(c, 0)[x] = static_cast<float>(v) / 255.0f;
                    break;
            }
        }
    }
    return image;
}

}  // namespace

class TestTissue : public QObject {
    Q_OBJECT

private slots:
    void handComputedPixels_data() {
        QTest::addColumn<int>("dtype");
        QTest::addColumn<int>("channels");
        for (DType t : {DType::U8, DType::U16, DType::F32}) {
            for (int channels : {3, 4}) {
                QTest::addRow("%s, %d channels", dtypeName(t).data(), channels)
                    << static_cast<int>(t) << channels;
            }
        }
    }
    void handComputedPixels() {
        QFETCH(int, dtype);
        QFETCH(int, channels);
        const auto type = static_cast<DType>(dtype);
        const Image in = pixelRow(type, channels);
        const RunResult result = runWhole(createOperation("tissue"), in);
        QCOMPARE(result.image.info(), (ImageInfo{in.size(), 1, DType::U8}));
        for (std::size_t i = 0; i < kPixels.size(); ++i) {
            // f32 samples of v / 255 are rounded, so the exact boundary cases are u8/u16 only.
            if (type == DType::F32 && kPixels[i].boundary)
                continue;
            const std::uint8_t got = result.image.view().row<std::uint8_t>(0, 0)[i];
            QVERIFY2(got == (kPixels[i].tissue ? 255 : 0), qPrintable(QString("pixel %1").arg(i)));
        }
    }

    void parametersMoveTheLimits() {
        const Image in = pixelRow(DType::U8, 3);
        const RunResult all =
            runWhole(createOperation("tissue", {{"saturation", "0"}, {"max_brightness", "1"}}), in);
        for (std::size_t i = 0; i < kPixels.size(); ++i)
            QCOMPARE(all.image.view().row<std::uint8_t>(0, 0)[i], std::uint8_t{255});
        const RunResult strict = runWhole(createOperation("tissue", {{"saturation", "0.5"}}), in);
        const std::vector<int> expected{0, 0, 0, 0, 0, 0, 0, 255, 255, 0};
        for (std::size_t i = 0; i < kPixels.size(); ++i) {
            QCOMPARE(static_cast<int>(strict.image.view().row<std::uint8_t>(0, 0)[i]), expected[i]);
        }
    }

    void tiledRunsAreSeamless() {
        verifySeamless(createOperation("tissue"), randomImage(DType::U8, 3, 131, 75, 6));
        verifySeamless(createOperation("tissue"), randomImage(DType::F32, 4, 131, 75, 7));
    }

    void unsupportedInputsAreRefused_data() {
        QTest::addColumn<int>("dtype");
        QTest::addColumn<int>("channels");
        QTest::addColumn<QString>("message");
        QTest::newRow("grey")
            << static_cast<int>(DType::U8) << 1
            << "tissue: needs an RGB or RGBA image (3 or 4 channels), got 1 channel(s)";
        QTest::newRow("5 channels") << static_cast<int>(DType::U8) << 5 << "got 5 channel(s)";
        QTest::newRow("i16") << static_cast<int>(DType::I16) << 3
                             << "tissue: needs u8, u16 or f32 samples, got i16";
        QTest::newRow("u32") << static_cast<int>(DType::U32) << 3 << "got u32";
    }
    void unsupportedInputsAreRefused() {
        QFETCH(int, dtype);
        QFETCH(int, channels);
        QFETCH(QString, message);
        const Image in = randomImage(static_cast<DType>(dtype), channels, 8, 8, 1);
        try {
            runWhole(createOperation("tissue"), in);
            QFAIL("expected InvalidArgument");
        } catch (const InvalidArgument& e) {
            QVERIFY2(QString(e.what()).contains(message), e.what());
        }
    }

    void badParametersAreRefused() {
        try {
            createOperation("tissue", {{"saturation", "1.5"}});
            QFAIL("expected InvalidArgument");
        } catch (const InvalidArgument& e) {
            QVERIFY2(QString(e.what()).contains("parameter 'saturation' must be in [0, 1]"),
                     e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestTissue)
#include "test_tissue.moc"
