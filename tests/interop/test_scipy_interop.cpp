// Interop: TileFlow's kernels against SciPy/NumPy computed by /usr/bin/python3, an
// implementation that shares no code with ours. Skips when SciPy is not installed.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>

#include "python_oracle.hpp"
#include "test_images.hpp"
#include "tileflow/engine.hpp"
#include "tileflow/npy.hpp"
#include "tileflow/registry.hpp"

using namespace tileflow;

namespace {

Image reference(const QString& op, const QString& param, const QString& input,
                const QString& output) {
    QProcess p;
    p.start(testing::kPython, {TILEFLOW_SCIPY_REFERENCE, op, param, input, output});
    if (!p.waitForFinished(300000) || p.exitCode() != 0) {
        throw std::runtime_error("reference failed: " + p.readAllStandardError().toStdString());
    }
    return readNpy(output.toStdString());
}

// Largest difference relative to the reference's largest magnitude.
double relativeError(ConstImageView got, ConstImageView want) {
    double worst = 0, scale = 1e-12;
    for (int c = 0; c < want.channels(); ++c) {
        for (std::int64_t y = 0; y < want.height(); ++y) {
            for (std::int64_t x = 0; x < want.width(); ++x) {
                const double w = want.row<float>(c, y)[x];
                worst = std::max(worst, std::abs(static_cast<double>(got.row<float>(c, y)[x]) - w));
                scale = std::max(scale, std::abs(w));
            }
        }
    }
    return worst / scale;
}

}  // namespace

class TestScipyInterop : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        TILEFLOW_REQUIRE_PYTHON("numpy, scipy.ndimage");
        QVERIFY(dir_.isValid());
    }

    void kernelsMatchScipy_data() {
        QTest::addColumn<QString>("op");
        QTest::addColumn<QString>("param");
        QTest::addColumn<int>("dtype");
        QTest::newRow("sobel f32") << "sobel"
                                   << "" << int(DType::F32);
        QTest::newRow("sobel u8") << "sobel"
                                  << "" << int(DType::U8);
        QTest::newRow("gaussian 1.3 f32") << "gaussian"
                                          << "1.3" << int(DType::F32);
        QTest::newRow("gaussian 3 u16") << "gaussian"
                                        << "3" << int(DType::U16);
    }
    void kernelsMatchScipy() {
        QFETCH(QString, op);
        QFETCH(QString, param);
        QFETCH(int, dtype);
        // Odd sizes and small tiles: many seams and borders, compared with a whole-image
        // computation by an independent implementation.
        const Image in = testing::randomImage(static_cast<DType>(dtype), 3, 211, 157, 23);
        const QString input = dir_.filePath(op + param + "-in.npy");
        writeNpy(input.toStdString(), in);
        std::map<std::string, std::string> params;
        if (!param.isEmpty())
            params["sigma"] = param.toStdString();
        const Image got = TileFlow({.tile = {32, 29}})
                              .configure(createOperation(op.toStdString(), params))
                              .run(in);
        const Image want = reference(op, param, input, dir_.filePath(op + param + "-ref.npy"));
        QCOMPARE(want.channels(), 3);
        QCOMPARE(want.size(), got.size());
        const double error = relativeError(got, want);
        QVERIFY2(error < 1e-5, qPrintable(QString("relative error %1").arg(error)));
    }

    void stretchPercentilesMatchNumpy() {
        const Image in = testing::randomImage(DType::U16, 2, 300, 97, 29);
        const QString input = dir_.filePath("stretch-in.npy");
        writeNpy(input.toStdString(), in);
        const RunReport report = [&] {
            Image out(DType::F32, 2, 300, 97);
            return TileFlow({.tile = {40, 40}})
                .configure(createOperation("stretch", {{"low", "2.5"}, {"high", "97"}}))
                .run(in, out);
        }();
        const Image low = reference("percentile", "2.5", input, dir_.filePath("p-low.npy"));
        const Image high = reference("percentile", "97", input, dir_.filePath("p-high.npy"));
        for (int c = 0; c < 2; ++c) {
            const auto find = [&](const std::string& name) {
                for (const auto& m : report.measurements) {
                    if (m.name == name)
                        return m.value;
                }
                throw std::runtime_error("no measurement " + name);
            };
            // Integer images: the percentiles are exact.
            QCOMPARE(static_cast<float>(find("low_c" + std::to_string(c))),
                     low.view().row<float>(0, 0)[c]);
            QCOMPARE(static_cast<float>(find("high_c" + std::to_string(c))),
                     high.view().row<float>(0, 0)[c]);
        }
    }

private:
    QTemporaryDir dir_;
};

QTEST_APPLESS_MAIN(TestScipyInterop)
#include "test_scipy_interop.moc"
