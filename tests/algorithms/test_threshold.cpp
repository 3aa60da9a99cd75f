// threshold: fixed, Otsu (as skimage.filters.threshold_otsu) and percentile thresholds per
// channel, u8 masks of `value > threshold`, seamless across tiles.
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <map>
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

// Otsu by brute force over the raw pixel values: every distinct value t but the largest
// splits the pixels into v <= t and v > t; the threshold is the first (smallest) t that
// maximises n0 * n1 * (mean0 - mean1)^2. A constant image gives its value.
double bruteForceOtsu(const std::vector<double>& values) {
    std::map<double, std::pair<std::uint64_t, double>> groups;  // value -> (count, sum)
    for (double v : values) {
        auto& g = groups[v];
        ++g.first;
        g.second += v;
    }
    if (groups.size() == 1)
        return groups.begin()->first;
    std::uint64_t total = 0;
    double totalSum = 0;
    for (const auto& [v, g] : groups) {
        total += g.first;
        totalSum += g.second;
    }
    double best = 0, bestVariance = -1;
    std::uint64_t n0 = 0;
    double s0 = 0;
    for (auto it = groups.begin(); std::next(it) != groups.end(); ++it) {
        n0 += it->second.first;
        s0 += it->second.second;
        const std::uint64_t n1 = total - n0;
        const double d = s0 / static_cast<double>(n0) - (totalSum - s0) / static_cast<double>(n1);
        const double variance = static_cast<double>(n0 * n1) * (d * d);
        if (variance > bestVariance) {
            bestVariance = variance;
            best = it->first;
        }
    }
    return best;
}

// Two clusters of integer values around `a` and `b`, mixed `share` : 1 - share.
Image bimodalImage(DType dtype, int channels, std::int64_t w, std::int64_t h, double a, double b,
                   double spread, double share, std::uint32_t seed) {
    Image image(dtype, channels, w, h);
    std::mt19937 rng(seed);
    std::normal_distribution<double> noise(0, spread);
    std::bernoulli_distribution pick(share);
    for (int c = 0; c < channels; ++c) {
        for (std::int64_t y = 0; y < h; ++y) {
            for (std::int64_t x = 0; x < w; ++x) {
                const double v = std::round((pick(rng) ? a : b) + noise(rng));
                switch (dtype) {
                    case DType::U8:
                        image.view().row<std::uint8_t>(c, y)[x] =
                            static_cast<std::uint8_t>(std::clamp(v, 0.0, 255.0));
                        break;
                    case DType::U16:
                        image.view().row<std::uint16_t>(c, y)[x] =
                            static_cast<std::uint16_t>(std::clamp(v, 0.0, 65535.0));
                        break;
                    case DType::I16:
                        image.view().row<std::int16_t>(c, y)[x] =
                            static_cast<std::int16_t>(std::clamp(v, -32768.0, 32767.0));
                        break;
                    default:
                        image.view().row<float>(c, y)[x] = static_cast<float>(v / 1000);
                        break;
                }
            }
        }
    }
    return image;
}

void verifyMask(ConstImageView in, ConstImageView out, int c, double threshold) {
    for (std::int64_t y = 0; y < in.height(); ++y) {
        for (std::int64_t x = 0; x < in.width(); ++x) {
            const std::uint8_t expected = sampleAt(in, c, x, y) > threshold ? 255 : 0;
            if (out.row<std::uint8_t>(c, y)[x] != expected) {
                QFAIL(qPrintable(QStringLiteral("c%1 (%2, %3): %4 vs threshold %5")
                                     .arg(c)
                                     .arg(x)
                                     .arg(y)
                                     .arg(sampleAt(in, c, x, y))
                                     .arg(threshold)));
            }
        }
    }
}

std::shared_ptr<const Operation> threshold(const std::map<std::string, std::string>& p) {
    return createOperation("threshold", p);
}

}  // namespace

class TestThreshold : public QObject {
    Q_OBJECT

private slots:
    void otsuMatchesBruteForceForIntegers_data() {
        QTest::addColumn<int>("dtype");
        QTest::addColumn<QString>("kind");
        for (DType t : {DType::U8, DType::U16, DType::I16}) {
            for (const char* kind : {"uniform", "bimodal", "lopsided", "tiny"}) {
                QTest::addRow("%s %s", dtypeName(t).data(), kind) << static_cast<int>(t) << kind;
            }
        }
    }
    void otsuMatchesBruteForceForIntegers() {
        QFETCH(int, dtype);
        QFETCH(QString, kind);
        const auto type = static_cast<DType>(dtype);
        const double scale = type == DType::U8 ? 1 : 200;
        const Image in = kind == "uniform" ? randomImage(type, 2, 111, 67, 4)
                         : kind == "tiny"  ? randomImage(type, 2, 5, 3, 4)
                         : kind == "bimodal"
                             ? bimodalImage(type, 2, 111, 67, 60 * scale / 2, 180 * scale / 2,
                                            15 * scale / 2, 0.6, 7)
                             : bimodalImage(type, 2, 111, 67, 30 * scale / 2, 200 * scale / 2,
                                            8 * scale / 2, 0.95, 8);
        const RunResult result = runWhole(threshold({{"method", "otsu"}}), in);
        for (int c = 0; c < 2; ++c) {
            const double expected = bruteForceOtsu(channelValues(in, c));
            QCOMPARE(measurement(result, "threshold_c" + std::to_string(c)), expected);
            verifyMask(in, result.image, c, expected);
            if (QTest::currentTestFailed())
                return;
        }
    }

    void otsuOfFloatsMatchesSkimage() {
        // skimage.filters.threshold_otsu(image) for a float image, written out plainly:
        // np.histogram(image, 256) over [min, max], bin centres, class weights and means
        // summed from both ends, the first maximum of the between-class variance.
        for (double share : {0.5, 0.7, 0.95}) {
            const Image in = bimodalImage(DType::F32, 1, 120, 80, 200, 700, 60, share, 5);
            const std::vector<double> values = channelValues(in, 0);
            const auto [mn, mx] = std::minmax_element(values.begin(), values.end());
            const double width = (*mx - *mn) / 256;
            std::vector<double> counts(256, 0), centers(256);
            for (double v : values) {
                counts[std::min<std::size_t>(255, static_cast<std::size_t>((v - *mn) / width))] +=
                    1;
            }
            for (std::size_t i = 0; i < 256; ++i)
                centers[i] = *mn + (static_cast<double>(i) + 0.5) * width;
            std::vector<double> w1(256), w2(256), m1(256), m2(256);
            double w = 0, sum = 0;
            for (std::size_t i = 0; i < 256; ++i) {
                w += counts[i];
                sum += counts[i] * centers[i];
                w1[i] = w;
                m1[i] = sum / w;
            }
            w = sum = 0;
            for (std::size_t i = 256; i-- > 0;) {
                w += counts[i];
                sum += counts[i] * centers[i];
                w2[i] = w;
                m2[i] = sum / w;
            }
            std::size_t best = 0;
            for (std::size_t i = 1; i < 255; ++i) {
                const auto variance = [&](std::size_t k) {
                    return w1[k] * w2[k + 1] * (m1[k] - m2[k + 1]) * (m1[k] - m2[k + 1]);
                };
                if (variance(i) > variance(best))
                    best = i;
            }
            const RunResult result = runWhole(threshold({{"method", "otsu"}}), in);
            const double t = measurement(result, "threshold_c0");
            // Within a bin: a value within rounding of a bin edge may be binned either way.
            QVERIFY2(std::abs(t - centers[best]) <= width * 1.000001,
                     qPrintable(QStringLiteral("%1 vs %2").arg(t).arg(centers[best])));
            verifyMask(in, result.image, 0, t);
        }
    }

    void otsuOfFloatsSplitsSymmetricClusters() {
        // Equal clusters with a wide gap: Otsu's split is the gap. As in skimage, the
        // threshold is the centre of the last bin of the lower class, so it may lie up to
        // half a bin below that class's largest value.
        const Image in = bimodalImage(DType::F32, 1, 120, 80, 200, 700, 20, 0.5, 6);
        const std::vector<double> values = channelValues(in, 0);
        const auto [mn, mx] = std::minmax_element(values.begin(), values.end());
        const double halfBin = (*mx - *mn) / 512;
        double lowMax = -1e9, highMin = 1e9;
        for (double v : values) {
            if (v < 0.45)
                lowMax = std::max(lowMax, v);
            else
                highMin = std::min(highMin, v);
        }
        const RunResult result = runWhole(threshold({{"method", "otsu"}}), in);
        const double t = measurement(result, "threshold_c0");
        QVERIFY2(t >= lowMax - halfBin && t <= lowMax + halfBin && t < highMin,
                 qPrintable(QStringLiteral("%1, lower class up to %2").arg(t).arg(lowMax)));
    }

    void percentileMatchesNumpy() {
        const Image in = randomImage(DType::U16, 3, 83, 41, 12);
        for (double p : {0.0, 7.5, 50.0, 99.0, 100.0}) {
            const RunResult result =
                runWhole(threshold({{"method", "percentile"},
                                    {"percentile", QByteArray::number(p).toStdString()}}),
                         in);
            for (int c = 0; c < 3; ++c) {
                const double expected = numpyPercentile(channelValues(in, c), p);
                QCOMPARE(measurement(result, "threshold_c" + std::to_string(c)), expected);
                verifyMask(in, result.image, c, expected);
                if (QTest::currentTestFailed())
                    return;
            }
        }
    }

    void fixedThresholdIsStrict() {
        const Image in = randomImage(DType::U8, 2, 64, 32, 13);
        const RunResult result = runWhole(threshold({{"method", "fixed"}, {"value", "100"}}), in);
        QCOMPARE(measurement(result, "threshold"), 100.0);
        for (int c = 0; c < 2; ++c)
            verifyMask(in, result.image, c, 100);
        // A value equal to the threshold is not above it.
        Image hundred = Image::zeros({{1, 1}, 1, DType::U8});
        hundred.view().row<std::uint8_t>(0, 0)[0] = 100;
        QCOMPARE(runWhole(threshold({{"method", "fixed"}, {"value", "100"}}), hundred)
                     .image.view()
                     .row<std::uint8_t>(0, 0)[0],
                 std::uint8_t{0});
        QCOMPARE(runWhole(threshold({{"method", "fixed"}, {"value", "99.5"}}), hundred)
                     .image.view()
                     .row<std::uint8_t>(0, 0)[0],
                 std::uint8_t{255});
    }

    void constantChannelIsAllBackground() {
        Image in = Image::zeros({{40, 20}, 1, DType::F32});
        for (std::int64_t y = 0; y < 20; ++y)
            std::fill_n(in.view().row<float>(0, y), 40, 0.25f);
        for (const char* method : {"otsu", "percentile"}) {
            const RunResult result = runWhole(threshold({{"method", method}}), in);
            QCOMPARE(measurement(result, "threshold_c0"), 0.25);
            verifyMask(in, result.image, 0, 0.25);
        }
    }

    void tiledRunsAreSeamless_data() {
        QTest::addColumn<int>("dtype");
        QTest::addColumn<QString>("method");
        for (DType t : {DType::U8, DType::U16, DType::F32}) {
            for (const char* m : {"fixed", "otsu", "percentile"}) {
                QTest::addRow("%s %s", dtypeName(t).data(), m) << static_cast<int>(t) << m;
            }
        }
    }
    void tiledRunsAreSeamless() {
        QFETCH(int, dtype);
        QFETCH(QString, method);
        const Image in = bimodalImage(static_cast<DType>(dtype), 2, 143, 101, 60, 180, 20, 0.5, 17);
        verifySeamless(threshold({{"method", method.toStdString()}, {"value", "120"}}), in);
    }

    void badParametersAreRefused_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("message");
        QTest::newRow("method") << "method"
                                << "median"
                                << "must be one of fixed, otsu, percentile";
        QTest::newRow("percentile") << "percentile"
                                    << "101"
                                    << "parameter 'percentile' must be in [0, 100]";
        QTest::newRow("value") << "value"
                               << "nan"
                               << "parameter 'value' expects a number";
    }
    void badParametersAreRefused() {
        QFETCH(QString, name);
        QFETCH(QString, value);
        QFETCH(QString, message);
        try {
            threshold({{name.toStdString(), value.toStdString()}});
            QFAIL("expected InvalidArgument");
        } catch (const InvalidArgument& e) {
            QVERIFY2(QString(e.what()).contains(message), e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestThreshold)
#include "test_threshold.moc"
