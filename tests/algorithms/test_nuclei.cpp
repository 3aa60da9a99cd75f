// nuclei: Gaussian smoothing, global Otsu threshold, u8 mask and an exact count of
// 8-connected components across tile borders and corners.
#include <QtTest>
#include <cmath>
#include <random>
#include <vector>

#include "test_images.hpp"
#include "tiled_runs.hpp"
#include "tileflow/error.hpp"
#include "tileflow/registry.hpp"

using namespace tileflow;
using namespace tileflow::testing;

namespace {

// Number of 8-connected components of the non-zero pixels of channel 0, by flood fill.
std::int64_t floodFillCount(ConstImageView mask) {
    const std::int64_t w = mask.width(), h = mask.height();
    std::vector<char> seen(static_cast<std::size_t>(w * h), 0);
    std::vector<std::pair<std::int64_t, std::int64_t>> stack;
    std::int64_t count = 0;
    auto fg = [&](std::int64_t x, std::int64_t y) { return sampleAt(mask, 0, x, y) != 0; };
    for (std::int64_t y0 = 0; y0 < h; ++y0) {
        for (std::int64_t x0 = 0; x0 < w; ++x0) {
            if (!fg(x0, y0) || seen[static_cast<std::size_t>(y0 * w + x0)])
                continue;
            ++count;
            seen[static_cast<std::size_t>(y0 * w + x0)] = 1;
            stack.emplace_back(x0, y0);
            while (!stack.empty()) {
                const auto [x, y] = stack.back();
                stack.pop_back();
                for (std::int64_t dy = -1; dy <= 1; ++dy) {
                    for (std::int64_t dx = -1; dx <= 1; ++dx) {
                        const std::int64_t nx = x + dx, ny = y + dy;
                        if (nx < 0 || ny < 0 || nx >= w || ny >= h)
                            continue;
                        auto& s = seen[static_cast<std::size_t>(ny * w + nx)];
                        if (s || !fg(nx, ny))
                            continue;
                        s = 1;
                        stack.emplace_back(nx, ny);
                    }
                }
            }
        }
    }
    return count;
}

struct Disc {
    double x, y, r;
};

void setSample(ImageView v, int c, std::int64_t x, std::int64_t y, double value) {
    switch (v.dtype()) {
        case DType::U8:
            v.row<std::uint8_t>(c, y)[x] = static_cast<std::uint8_t>(value);
            break;
        case DType::U16:
            v.row<std::uint16_t>(c, y)[x] = static_cast<std::uint16_t>(value);
            break;
        default:
            v.row<float>(c, y)[x] = static_cast<float>(value);
            break;
    }
}

// Background around 40 and discs around 190 (u8 units; `scale` converts), with noise.
Image discImage(DType dtype, int channels, int channel, std::int64_t w, std::int64_t h,
                const std::vector<Disc>& discs, double scale, std::uint32_t seed) {
    Image image = Image::zeros({{w, h}, channels, dtype});
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> noise(-15, 15);
    for (int c = 0; c < channels; ++c) {
        for (std::int64_t y = 0; y < h; ++y) {
            for (std::int64_t x = 0; x < w; ++x) {
                bool inside = false;
                for (const Disc& d : discs) {
                    inside =
                        inside ||
                        (static_cast<double>(x) - d.x) * (static_cast<double>(x) - d.x) +
                                (static_cast<double>(y) - d.y) * (static_cast<double>(y) - d.y) <=
                            d.r * d.r;
                }
                const double base = c == channel ? (inside ? 190 : 40) : 110;
                setSample(image.view(), c, x, y, std::round(base + noise(rng)) * scale);
            }
        }
    }
    return image;
}

// Discs centred on tile borders and corners of the 16x16 and 37x23 grids, and on the image
// border, at least 12 px apart edge to edge.
const std::vector<Disc> kDiscs{{16, 16, 6},  {48, 48, 6},   {74, 46, 6},  {37, 92, 6},
                               {111, 69, 6}, {128, 96, 6},  {80, 100, 6}, {140, 30, 6},
                               {5, 60, 6},   {150, 117, 6}, {96, 2, 6},   {112, 23, 6}};

std::shared_ptr<const Operation> nuclei(const std::map<std::string, std::string>& p = {}) {
    return createOperation("nuclei", p);
}

// Random 0/255 noise: many components of every shape, most of them crossing tile borders.
Image binaryNoise(std::int64_t w, std::int64_t h, double density, std::uint32_t seed) {
    Image image = Image::zeros({{w, h}, 1, DType::U8});
    std::mt19937 rng(seed);
    std::bernoulli_distribution on(density);
    for (std::int64_t y = 0; y < h; ++y) {
        for (std::int64_t x = 0; x < w; ++x)
            image.view().row<std::uint8_t>(0, y)[x] = on(rng) ? 255 : 0;
    }
    return image;
}

}  // namespace

class TestNuclei : public QObject {
    Q_OBJECT

private slots:
    void discsAreCountedAcrossTileBordersAndCorners_data() {
        QTest::addColumn<int>("dtype");
        QTest::addColumn<double>("scale");
        QTest::newRow("u8") << static_cast<int>(DType::U8) << 1.0;
        QTest::newRow("u16") << static_cast<int>(DType::U16) << 257.0;
        QTest::newRow("f32") << static_cast<int>(DType::F32) << 1.0 / 255;
    }
    void discsAreCountedAcrossTileBordersAndCorners() {
        QFETCH(int, dtype);
        QFETCH(double, scale);
        for (std::size_t i = 0; i < kDiscs.size(); ++i) {
            for (std::size_t j = i + 1; j < kDiscs.size(); ++j) {
                QVERIFY(std::hypot(kDiscs[i].x - kDiscs[j].x, kDiscs[i].y - kDiscs[j].y) >= 24);
            }
        }
        const Image in = discImage(static_cast<DType>(dtype), 3, 1, 160, 120, kDiscs, scale, 3);
        const auto op = nuclei({{"channel", "1"}});
        const RunResult whole = runWhole(op, in);
        QCOMPARE(whole.image.info(), (ImageInfo{{160, 120}, 1, DType::U8}));
        QCOMPARE(measurement(whole, "nuclei_count"), static_cast<double>(kDiscs.size()));
        QCOMPARE(floodFillCount(whole.image), static_cast<std::int64_t>(kDiscs.size()));
        const double t = measurement(whole, "nuclei_threshold");
        QVERIFY2(t > 60 * scale && t < 170 * scale, qPrintable(QString::number(t)));

        // The mask is the gaussian operation's result above the threshold.
        const RunResult smooth =
            runWhole(createOperation("gaussian", {{"sigma", "2"}}), ConstImageView(in).channel(1));
        for (std::int64_t y = 0; y < 120; ++y) {
            for (std::int64_t x = 0; x < 160; ++x) {
                const bool above = static_cast<double>(smooth.image.view().row<float>(0, y)[x]) > t;
                QCOMPARE(whole.image.view().row<std::uint8_t>(0, y)[x] != 0, above);
            }
        }
        verifySeamless(op, in);
    }

    void mergedDiscsAreOneNucleus() {
        // Two overlapping discs straddling the 16x16 corner (32, 32), a third alone.
        const Image in =
            discImage(DType::U8, 1, 0, 90, 70, {{28, 28, 6}, {36, 37, 6}, {70, 50, 7}}, 1, 4);
        const RunResult whole = runWhole(nuclei(), in);
        QCOMPARE(measurement(whole, "nuclei_count"), 2.0);
        verifySeamless(nuclei(), in);
    }

    void countIsExactForAnyPattern_data() {
        QTest::addColumn<double>("density");
        QTest::addColumn<qint64>("tileW");
        QTest::addColumn<qint64>("tileH");
        for (double density : {0.2, 0.45, 0.6}) {
            for (auto [w, h] : {std::pair{1, 1}, {2, 3}, {3, 2}, {1, 7}, {16, 16}, {37, 23}}) {
                QTest::addRow("density %g, tile %dx%d", density, w, h)
                    << density << qint64{w} << qint64{h};
            }
        }
    }
    void countIsExactForAnyPattern() {
        QFETCH(double, density);
        QFETCH(qint64, tileW);
        QFETCH(qint64, tileH);
        // sigma 0.1 has radius 0: the smoothing is the identity, so the mask is the pattern.
        const auto op = nuclei({{"sigma", "0.1"}});
        QCOMPARE(op->radius(), 0);
        const Image in = binaryNoise(97, 61, density, static_cast<std::uint32_t>(density * 100));
        const std::int64_t expected = floodFillCount(in);
        for (int threads : {1, 2}) {
            const RunResult tiled = runWith(op, in, {.tile = {tileW, tileH}, .threads = threads});
            QVERIFY(samePixels(tiled.image, in));
            QCOMPARE(measurement(tiled, "nuclei_count"), static_cast<double>(expected));
        }
    }

    void diagonalContactsAcrossCornersJoin() {
        // 16x16 tiles: pixels touching only diagonally across a tile corner, both ways, and
        // a one-pixel diagonal line crossing many corners.
        Image in = Image::zeros({{64, 64}, 1, DType::U8});
        auto set = [&](std::int64_t x, std::int64_t y) {
            in.view().row<std::uint8_t>(0, y)[x] = 255;
        };
        set(15, 15), set(16, 16);  // one component across corner (16, 16)
        set(32, 15), set(31, 16);  // one component across corner (32, 16)
        set(47, 47), set(49, 49);  // two components: not adjacent
        for (std::int64_t i = 0; i < 64; ++i)
            set(i, 63 - i);  // anti-diagonal line: one
        const std::int64_t expected = floodFillCount(in);
        QCOMPARE(expected, std::int64_t{5});
        const RunResult tiled = runWith(nuclei({{"sigma", "0.1"}}), in, {.tile = {16, 16}});
        QCOMPARE(measurement(tiled, "nuclei_count"), 5.0);
        const RunResult small = runWith(nuclei({{"sigma", "0.1"}}), in, {.tile = {1, 1}});
        QCOMPARE(measurement(small, "nuclei_count"), 5.0);
    }

    void constantImageHasNoNuclei() {
        Image in = Image::zeros({{50, 40}, 1, DType::U16});
        for (std::int64_t y = 0; y < 40; ++y)
            std::fill_n(in.view().row<std::uint16_t>(0, y), 50, 1000);
        const RunResult result = runWith(nuclei(), in, {.tile = {16, 16}});
        QCOMPARE(measurement(result, "nuclei_count"), 0.0);
        QCOMPARE(floodFillCount(result.image), std::int64_t{0});
    }

    void missingChannelIsRefused() {
        const Image in = randomImage(DType::U8, 3, 20, 20, 1);
        try {
            runWhole(nuclei({{"channel", "3"}}), in);
            QFAIL("expected InvalidArgument");
        } catch (const InvalidArgument& e) {
            QVERIFY2(QString(e.what()).contains(
                         "parameter 'channel' is 3 but the input has 3 channel(s)"),
                     e.what());
        }
    }

    void badParametersAreRefused_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("message");
        QTest::newRow("sigma 0") << "sigma"
                                 << "0"
                                 << "parameter 'sigma' must be in [0.1, 64]";
        QTest::newRow("negative channel") << "channel"
                                          << "-1"
                                          << "parameter 'channel' must be in [0, 4095]";
        QTest::newRow("fractional channel") << "channel"
                                            << "1.5"
                                            << "parameter 'channel' expects an integer";
        QTest::newRow("min_area") << "min_area"
                                  << "5"
                                  << "unknown parameter 'min_area'";
    }
    void badParametersAreRefused() {
        QFETCH(QString, name);
        QFETCH(QString, value);
        QFETCH(QString, message);
        try {
            nuclei({{name.toStdString(), value.toStdString()}});
            QFAIL("expected InvalidArgument");
        } catch (const InvalidArgument& e) {
            QVERIFY2(QString(e.what()).contains(message), e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestNuclei)
#include "test_nuclei.moc"
