// stretch: global percentiles per channel (numpy.percentile, linear) mapped to [0, 1];
// exact for integer images up to 16 bits, within one bin for f32 and u32, and seamless.
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "percentile_reference.hpp"
#include "test_images.hpp"
#include "tiled_runs.hpp"
#include "tileflow/error.hpp"
#include "tileflow/registry.hpp"

using namespace tileflow;
using namespace tileflow::testing;

namespace {

// numpy.percentile(values, p) with the default "linear" method, as numpy defines it: the
// virtual index (n - 1) * p / 100 between two sorted neighbours, interpolated from the
// nearer one (numpy's _lerp). NaN excluded, as the operation documents.
std::shared_ptr<const Operation> stretch(double low, double high) {
    return createOperation("stretch", {{"low", QByteArray::number(low, 'g', 17).toStdString()},
                                       {"high", QByteArray::number(high, 'g', 17).toStdString()}});
}

// Integer samples with many ties: an exponential spread over [lo, hi].
Image skewedImage(DType dtype, int channels, std::int64_t w, std::int64_t h, double lo, double hi,
                  std::uint32_t seed) {
    Image image(dtype, channels, w, h);
    std::mt19937 rng(seed);
    std::exponential_distribution<double> spread(1.0 / ((hi - lo) / 20));
    ImageView v = image.view();
    for (int c = 0; c < channels; ++c) {
        for (std::int64_t y = 0; y < h; ++y) {
            for (std::int64_t x = 0; x < w; ++x) {
                const double s = std::min(hi, lo + std::floor(spread(rng)));
                switch (dtype) {
                    case DType::U8:
                        v.row<std::uint8_t>(c, y)[x] = static_cast<std::uint8_t>(s);
                        break;
                    case DType::I8:
                        v.row<std::int8_t>(c, y)[x] = static_cast<std::int8_t>(s);
                        break;
                    case DType::U16:
                        v.row<std::uint16_t>(c, y)[x] = static_cast<std::uint16_t>(s);
                        break;
                    case DType::I16:
                        v.row<std::int16_t>(c, y)[x] = static_cast<std::int16_t>(s);
                        break;
                    case DType::U32:
                        v.row<std::uint32_t>(c, y)[x] = static_cast<std::uint32_t>(s);
                        break;
                    case DType::F32:
                        v.row<float>(c, y)[x] = static_cast<float>(s);
                        break;
                }
            }
        }
    }
    return image;
}

// The output must be clip((x - low) / (high - low), 0, 1) in double, rounded to f32.
void verifyStretched(ConstImageView in, ConstImageView out, int c, double low, double high) {
    for (std::int64_t y = 0; y < in.height(); ++y) {
        for (std::int64_t x = 0; x < in.width(); ++x) {
            const double v = sampleAt(in, c, x, y);
            const float expected =
                high > low ? static_cast<float>(std::clamp((v - low) / (high - low), 0.0, 1.0))
                           : 0.0f;
            const float got = out.row<float>(c, y)[x];
            if (std::isnan(v)) {
                QVERIFY2(std::isnan(got), "NaN input must stay NaN");
                continue;
            }
            if (got != expected) {
                QFAIL(qPrintable(QStringLiteral("c%1 (%2, %3): %4 -> %5, expected %6")
                                     .arg(c)
                                     .arg(x)
                                     .arg(y)
                                     .arg(v)
                                     .arg(got)
                                     .arg(expected)));
            }
        }
    }
}

}  // namespace

class TestStretch : public QObject {
    Q_OBJECT

private slots:
    void integerPercentilesMatchNumpyExactly_data() {
        QTest::addColumn<int>("dtype");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<qint64>("width");
        QTest::addColumn<qint64>("height");
        QTest::addColumn<double>("low");
        QTest::addColumn<double>("high");
        const std::vector<std::pair<double, double>> limits{{1, 99},      {0, 100},   {2.5, 97.5},
                                                            {33.3, 66.7}, {50, 50.5}, {0.1, 99.9}};
        for (DType dtype : {DType::U8, DType::I8, DType::U16, DType::I16}) {
            for (const char* kind : {"uniform", "skewed", "sparse"}) {
                const bool sparse = QByteArray(kind) == "sparse";
                for (auto [low, high] : limits) {
                    QTest::addRow("%s %s %g-%g", dtypeName(dtype).data(), kind, low, high)
                        << static_cast<int>(dtype) << kind << qint64{sparse ? 7 : 131}
                        << qint64{sparse ? 5 : 77} << low << high;
                }
            }
        }
    }
    void integerPercentilesMatchNumpyExactly() {
        QFETCH(int, dtype);
        QFETCH(QString, kind);
        QFETCH(qint64, width);
        QFETCH(qint64, height);
        QFETCH(double, low);
        QFETCH(double, high);
        const auto type = static_cast<DType>(dtype);
        const Image in = kind == "skewed"
                             ? skewedImage(type, 3, width, height,
                                           type == DType::I8 || type == DType::I16 ? -100 : 0,
                                           type == DType::U8 || type == DType::I8 ? 127 : 30000, 11)
                             : randomImage(type, 3, width, height, 5);
        const RunResult result = runWhole(stretch(low, high), in);
        for (int c = 0; c < 3; ++c) {
            const double lo = numpyPercentile(channelValues(in, c), low);
            const double hi = numpyPercentile(channelValues(in, c), high);
            QCOMPARE(measurement(result, "low_c" + std::to_string(c)), lo);
            QCOMPARE(measurement(result, "high_c" + std::to_string(c)), hi);
            verifyStretched(in, result.image, c, lo, hi);
            if (QTest::currentTestFailed())
                return;
        }
    }

    void floatAndU32PercentilesWithinOneBin_data() {
        QTest::addColumn<int>("dtype");
        QTest::addColumn<double>("scale");
        QTest::addColumn<double>("offset");
        QTest::newRow("f32 [0, 1)") << static_cast<int>(DType::F32) << 1.0 << 0.0;
        QTest::newRow("f32 [-1000, 5000)") << static_cast<int>(DType::F32) << 6000.0 << -1000.0;
        QTest::newRow("u32 full range") << static_cast<int>(DType::U32) << 1.0 << 0.0;
    }
    void floatAndU32PercentilesWithinOneBin() {
        QFETCH(int, dtype);
        QFETCH(double, scale);
        QFETCH(double, offset);
        Image in = randomImage(static_cast<DType>(dtype), 2, 173, 91, 3);
        if (in.dtype() == DType::F32) {
            for (int c = 0; c < 2; ++c) {
                for (std::int64_t y = 0; y < in.height(); ++y) {
                    float* row = in.view().row<float>(c, y);
                    // Squared: most values low, a long tail, as in fluorescence.
                    for (std::int64_t x = 0; x < in.width(); ++x) {
                        row[x] = static_cast<float>(row[x] * row[x] * scale + offset);
                    }
                }
            }
        }
        for (auto [low, high] :
             {std::pair{1.0, 99.0}, std::pair{0.0, 100.0}, std::pair{12.5, 50.0}}) {
            const RunResult result = runWhole(stretch(low, high), in);
            for (int c = 0; c < 2; ++c) {
                const std::vector<double> values = channelValues(in, c);
                const auto [mn, mx] = std::minmax_element(values.begin(), values.end());
                const double bin = (*mx - *mn) / 65536;
                const double lo = measurement(result, "low_c" + std::to_string(c));
                const double hi = measurement(result, "high_c" + std::to_string(c));
                QVERIFY2(std::abs(lo - numpyPercentile(values, low)) <= bin,
                         qPrintable(QString::number(lo)));
                QVERIFY2(std::abs(hi - numpyPercentile(values, high)) <= bin,
                         qPrintable(QString::number(hi)));
                if (low == 0)
                    QCOMPARE(lo, *mn);
                if (high == 100)
                    QCOMPARE(hi, *mx);
                verifyStretched(in, result.image, c, lo, hi);
                if (QTest::currentTestFailed())
                    return;
            }
        }
    }

    void u32WithNarrowRangeIsExact() {
        const Image in = skewedImage(DType::U32, 1, 97, 64, 100000, 140000, 9);
        const RunResult result = runWhole(stretch(1, 99), in);
        QCOMPARE(measurement(result, "low_c0"), numpyPercentile(channelValues(in, 0), 1));
        QCOMPARE(measurement(result, "high_c0"), numpyPercentile(channelValues(in, 0), 99));
    }

    void nanIsIgnoredAndStaysNan() {
        Image in = randomImage(DType::F32, 1, 60, 40, 8);
        for (std::int64_t y = 0; y < 40; y += 3) {
            in.view().row<float>(0, y)[(y * 7) % 60] = std::numeric_limits<float>::quiet_NaN();
        }
        const RunResult result = runWhole(stretch(5, 95), in);
        const std::vector<double> values = channelValues(in, 0);
        const double bin = 1.0 / 65536;
        QVERIFY(std::abs(measurement(result, "low_c0") - numpyPercentile(values, 5)) <= bin);
        QVERIFY(std::abs(measurement(result, "high_c0") - numpyPercentile(values, 95)) <= bin);
        verifyStretched(in, result.image, 0, measurement(result, "low_c0"),
                        measurement(result, "high_c0"));
    }

    void constantChannelMapsToZero() {
        Image in = randomImage(DType::U8, 3, 50, 30, 2);
        for (std::int64_t y = 0; y < 30; ++y)
            std::fill_n(in.view().row<std::uint8_t>(1, y), 50, 77);
        const RunResult result = runWhole(stretch(1, 99), in);
        QCOMPARE(measurement(result, "low_c1"), 77.0);
        QCOMPARE(measurement(result, "high_c1"), 77.0);
        for (std::int64_t y = 0; y < 30; ++y) {
            for (std::int64_t x = 0; x < 50; ++x)
                QCOMPARE(result.image.view().row<float>(1, y)[x], 0.0f);
        }
    }

    void tiledRunsAreSeamless_data() {
        QTest::addColumn<int>("dtype");
        for (DType t : {DType::U8, DType::I16, DType::U16, DType::U32, DType::F32}) {
            QTest::newRow(dtypeName(t).data()) << static_cast<int>(t);
        }
    }
    void tiledRunsAreSeamless() {
        QFETCH(int, dtype);
        const Image in = randomImage(static_cast<DType>(dtype), 2, 151, 97, 21);
        verifySeamless(stretch(2, 98), in);
    }

    void badParametersAreRefused_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("message");
        QTest::newRow("low above high") << "low"
                                        << "99.5"
                                        << "'low' (99.5) must be below 'high' (99)";
        QTest::newRow("low equal high") << "low"
                                        << "99"
                                        << "must be below 'high'";
        QTest::newRow("negative") << "low"
                                  << "-1"
                                  << "parameter 'low' must be in [0, 100]";
        QTest::newRow("above 100") << "high"
                                   << "100.5"
                                   << "parameter 'high' must be in [0, 100]";
        QTest::newRow("not a number") << "high"
                                      << "lots"
                                      << "expects a number";
        QTest::newRow("unknown") << "gamma"
                                 << "2"
                                 << "unknown parameter 'gamma'";
    }
    void badParametersAreRefused() {
        QFETCH(QString, name);
        QFETCH(QString, value);
        QFETCH(QString, message);
        try {
            createOperation("stretch", {{name.toStdString(), value.toStdString()}});
            QFAIL("expected InvalidArgument");
        } catch (const InvalidArgument& e) {
            QVERIFY2(QString(e.what()).contains(message), e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestStretch)
#include "test_stretch.moc"
