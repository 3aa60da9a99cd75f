// ratio: (a - b) / (a + b) of two channels, 0 where a + b == 0; NDVI with the defaults.
#include <QtTest>
#include <cmath>
#include <limits>
#include <vector>

#include "test_images.hpp"
#include "tiled_runs.hpp"
#include "tileflow/error.hpp"
#include "tileflow/registry.hpp"

using namespace tileflow;
using namespace tileflow::testing;

class TestRatio : public QObject {
    Q_OBJECT

private slots:
    void ndviOfRedAndNir() {
        // Bands [red, nir]; defaults a = 1 (nir), b = 0 (red).
        const std::vector<std::pair<int, int>> redNir{{50, 150}, {0, 0}, {100, 0}, {0, 7},
                                                      {30, 30},  {1, 2}, {255, 1}};
        const std::vector<float> expected{0.5f,
                                          0.0f,
                                          -1.0f,
                                          1.0f,
                                          0.0f,
                                          static_cast<float>(1.0 / 3.0),
                                          static_cast<float>(-254.0 / 256.0)};
        Image in = Image::zeros({{static_cast<std::int64_t>(redNir.size()), 1}, 2, DType::U8});
        for (std::size_t i = 0; i < redNir.size(); ++i) {
            in.view().row<std::uint8_t>(0, 0)[i] = static_cast<std::uint8_t>(redNir[i].first);
            in.view().row<std::uint8_t>(1, 0)[i] = static_cast<std::uint8_t>(redNir[i].second);
        }
        const RunResult result = runWhole(createOperation("ratio"), in);
        QCOMPARE(result.image.info(), (ImageInfo{in.size(), 1, DType::F32}));
        for (std::size_t i = 0; i < redNir.size(); ++i)
            QCOMPARE(result.image.view().row<float>(0, 0)[i], expected[i]);
    }

    void chosenChannelsOfFloats() {
        // a = 0, b = 2 of three f32 channels; signed values, a + b == 0 and NaN.
        const std::vector<std::array<float, 3>> samples{
            {0.75f, 9.0f, 0.25f}, {2.0f, 0.0f, -2.0f}, {-1.0f, 0.0f, 3.0f}, {NAN, 1.0f, 1.0f}};
        Image in = Image::zeros({{static_cast<std::int64_t>(samples.size()), 1}, 3, DType::F32});
        for (std::size_t i = 0; i < samples.size(); ++i) {
            for (int c = 0; c < 3; ++c)
                in.view().row<float>(c, 0)[i] = samples[i][static_cast<std::size_t>(c)];
        }
        const RunResult result = runWhole(createOperation("ratio", {{"a", "0"}, {"b", "2"}}), in);
        const float* out = result.image.view().row<float>(0, 0);
        QCOMPARE(out[0], 0.5f);
        QCOMPARE(out[1], 0.0f);
        QCOMPARE(out[2], -2.0f);  // signed inputs can leave [-1, 1]
        QVERIFY(std::isnan(out[3]));
    }

    void tiledRunsAreSeamless() {
        verifySeamless(createOperation("ratio"), randomImage(DType::U16, 2, 129, 71, 3));
        verifySeamless(createOperation("ratio", {{"a", "2"}, {"b", "0"}}),
                       randomImage(DType::F32, 3, 129, 71, 4));
    }

    void missingChannelsAreRefused_data() {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::addColumn<QString>("message");
        QTest::newRow("a") << "3"
                           << "0"
                           << "ratio: parameter 'a' is 3 but the input has 3 channel(s)";
        QTest::newRow("b") << "0"
                           << "7"
                           << "ratio: parameter 'b' is 7 but the input has 3 channel(s)";
    }
    void missingChannelsAreRefused() {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QFETCH(QString, message);
        const auto op = createOperation("ratio", {{"a", a.toStdString()}, {"b", b.toStdString()}});
        try {
            op->outputInfo({{10, 10}, 3, DType::U8});
            QFAIL("expected InvalidArgument");
        } catch (const InvalidArgument& e) {
            QVERIFY2(QString(e.what()).contains(message), e.what());
        }
    }

    void badParametersAreRefused_data() {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::addColumn<QString>("message");
        QTest::newRow("same") << "2"
                              << "2"
                              << "'a' and 'b' must name different channels, both are 2";
        QTest::newRow("negative") << "-1"
                                  << "0"
                                  << "parameter 'a' must be in [0, 4095]";
    }
    void badParametersAreRefused() {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QFETCH(QString, message);
        try {
            createOperation("ratio", {{"a", a.toStdString()}, {"b", b.toStdString()}});
            QFAIL("expected InvalidArgument");
        } catch (const InvalidArgument& e) {
            QVERIFY2(QString(e.what()).contains(message), e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestRatio)
#include "test_ratio.moc"
