// The synthetic fluorescence source: bit-identical pixels however the image is cut, seeds,
// dtype ranges, blob structure, huge sizes and the spec parser.
#include <QtTest>
#include <cmath>
#include <vector>

#include "tileflow/error.hpp"
#include "tileflow/synthetic.hpp"

using namespace tileflow;

namespace {

// Reads `area` of `source` piece by piece (pieces of `piece`, clipped) into one image.
Image readInPieces(const SyntheticSource& source, const Rect& area, Size piece) {
    Image out(ImageInfo{area.size(), source.info().channels, source.info().dtype});
    for (std::int64_t y = area.y; y < area.bottom(); y += piece.height) {
        for (std::int64_t x = area.x; x < area.right(); x += piece.width) {
            const Rect r = Rect{x, y, piece.width, piece.height}.intersected(area);
            source.read(r, out.view().region(r.relativeTo(area)));
        }
    }
    return out;
}

std::vector<float> plane(ConstImageView v, int c) {
    std::vector<float> out;
    out.reserve(static_cast<std::size_t>(v.width() * v.height()));
    for (std::int64_t y = 0; y < v.height(); ++y) {
        for (std::int64_t x = 0; x < v.width(); ++x)
            out.push_back(v.row<float>(c, y)[x]);
    }
    return out;
}

}  // namespace

class TestSynthetic : public QObject {
    Q_OBJECT

private slots:
    void regionCutsAreBitIdentical_data() {
        QTest::addColumn<int>("dtype");
        QTest::addColumn<int>("channels");
        for (DType t : {DType::U8, DType::U16, DType::F32}) {
            for (int channels : {1, 5}) {
                QTest::addRow("%s x%d", dtypeName(t).data(), channels)
                    << static_cast<int>(t) << channels;
            }
        }
    }
    void regionCutsAreBitIdentical() {
        QFETCH(int, dtype);
        QFETCH(int, channels);
        const SyntheticSource source({.size = {300, 217},
                                      .channels = channels,
                                      .dtype = static_cast<DType>(dtype),
                                      .seed = 7});
        const Image whole = source.render();
        const Rect all = rectOf(source.info().size);
        for (Size piece : {Size{37, 23}, Size{1, 217}, Size{300, 1}, Size{129, 7}, Size{64, 64},
                           Size{299, 216}}) {
            QVERIFY2(samePixels(whole, readInPieces(source, all, piece)),
                     qPrintable(QString("pieces of %1x%2").arg(piece.width).arg(piece.height)));
        }
        // Single pixels in a corner where blobs cross the border.
        const Rect corner{0, 0, 40, 40};
        QVERIFY(samePixels(whole.view().region(corner), readInPieces(source, corner, {1, 1})));
        QVERIFY(
            samePixels(whole.view().region({11, 19, 200, 150}), source.render({11, 19, 200, 150})));
    }

    void hugeImagesAreNeverMaterialised() {
        const SyntheticSource source(
            {.size = {100000, 100000}, .channels = 8, .dtype = DType::U16, .seed = 3});
        QCOMPARE(source.info(), (ImageInfo{{100000, 100000}, 8, DType::U16}));
        QCOMPARE(source.info().bytes(), std::int64_t{100000} * 100000 * 8 * 2);
        // Far from the origin, up to the bottom-right corner, cut in odd pieces.
        const Rect area{99790, 99850, 210, 150};
        const Image whole = source.render(area);
        QVERIFY(samePixels(whole, readInPieces(source, area, {41, 17})));
        // The same content as a region of a smaller image with the same seed: pixels depend
        // only on (seed, channel, x, y), not on the image size.
        const SyntheticSource small(
            {.size = {1000, 1000}, .channels = 8, .dtype = DType::U16, .seed = 3});
        const SyntheticSource big(
            {.size = {100000, 100000}, .channels = 8, .dtype = DType::U16, .seed = 3});
        QVERIFY(samePixels(small.render({500, 500, 100, 100}), big.render({500, 500, 100, 100})));
    }

    void seedsDecide() {
        const SyntheticSpec spec{.size = {256, 256}, .channels = 3, .dtype = DType::F32, .seed = 1};
        SyntheticSpec other = spec;
        other.seed = 2;
        const Image a = SyntheticSource(spec).render();
        QVERIFY(samePixels(a, SyntheticSource(spec).render()));
        const Image b = SyntheticSource(other).render();
        std::int64_t differing = 0;
        for (int c = 0; c < 3; ++c) {
            const std::vector<float> pa = plane(a, c);
            const std::vector<float> pb = plane(b, c);
            for (std::size_t i = 0; i < pa.size(); ++i)
                differing += pa[i] != pb[i];
        }
        QVERIFY2(differing > 3 * 256 * 256 * 9 / 10, qPrintable(QString::number(differing)));
    }

    void dtypeRanges() {
        const Rect area{0, 0, 512, 512};
        const SyntheticSpec base{.size = {4096, 4096}, .channels = 4, .seed = 5};
        SyntheticSpec spec = base;
        spec.dtype = DType::F32;
        const Image f = SyntheticSource(spec).render(area);
        float lo = 1, hi = 0;
        for (int c = 0; c < 4; ++c) {
            for (float v : plane(f, c)) {
                QVERIFY(std::isfinite(v) && v >= 0.0f && v <= 1.0f);
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
        }
        QVERIFY2(lo < 0.05f && hi > 0.8f, qPrintable(QString("%1 .. %2").arg(lo).arg(hi)));

        spec.dtype = DType::U8;
        const Image u8 = SyntheticSource(spec).render(area);
        spec.dtype = DType::U16;
        const Image u16 = SyntheticSource(spec).render(area);
        int lo8 = 255, hi8 = 0, lo16 = 65535, hi16 = 0;
        for (int c = 0; c < 4; ++c) {
            for (std::int64_t y = 0; y < area.height; ++y) {
                for (std::int64_t x = 0; x < area.width; ++x) {
                    const int v8 = u8.view().row<std::uint8_t>(c, y)[x];
                    const int v16 = u16.view().row<std::uint16_t>(c, y)[x];
                    lo8 = std::min(lo8, v8);
                    hi8 = std::max(hi8, v8);
                    lo16 = std::min(lo16, v16);
                    hi16 = std::max(hi16, v16);
                    // Integer types are the float image scaled and rounded.
                    const float ref = f.view().row<float>(c, y)[x];
                    // NOLINTNEXTLINE(bugprone-incorrect-roundings): ref is in [0, 1]
                    QCOMPARE(v8, static_cast<int>(ref * 255.0f + 0.5f));
                    // NOLINTNEXTLINE(bugprone-incorrect-roundings): ref is in [0, 1]
                    QCOMPARE(v16, static_cast<int>(ref * 65535.0f + 0.5f));
                }
            }
        }
        QVERIFY(lo8 < 13 && hi8 > 204);
        QVERIFY(lo16 < 3300 && hi16 > 52000);
    }

    void nucleiAreBlobsOnDarkBackground() {
        // Over several seeds: a plausible share of bright nucleus pixels, a dark background,
        // and bright pixels that come in blobs: most have bright neighbours on all four sides
        // (only blob rims do not), which independent noise would almost never give.
        for (std::uint64_t seed = 0; seed < 4; ++seed) {
            const SyntheticSource source(
                {.size = {2048, 2048}, .channels = 3, .dtype = DType::F32, .seed = seed});
            const Image image = source.render();
            const std::vector<float> nuclei = plane(image, 0);
            const auto at = [&](std::int64_t x, std::int64_t y) {
                return nuclei[static_cast<std::size_t>(y * 2048 + x)];
            };
            std::int64_t bright = 0, dark = 0, brightWithBrightNeighbours = 0;
            for (std::int64_t y = 1; y < 2047; ++y) {
                for (std::int64_t x = 1; x < 2047; ++x) {
                    const float v = at(x, y);
                    if (v < 0.1f)
                        ++dark;
                    if (v <= 0.3f)
                        continue;
                    ++bright;
                    if (at(x - 1, y) > 0.2f && at(x + 1, y) > 0.2f && at(x, y - 1) > 0.2f &&
                        at(x, y + 1) > 0.2f) {
                        ++brightWithBrightNeighbours;
                    }
                }
            }
            const double total = 2046.0 * 2046.0;
            const double brightShare = static_cast<double>(bright) / total;
            const double darkShare = static_cast<double>(dark) / total;
            const double coherent = static_cast<double>(brightWithBrightNeighbours) /
                                    static_cast<double>(std::max<std::int64_t>(bright, 1));
            const QString stats = QString("seed %1: bright %2, dark %3, coherent %4")
                                      .arg(seed)
                                      .arg(brightShare)
                                      .arg(darkShare)
                                      .arg(coherent);
            QVERIFY2(brightShare > 0.01 && brightShare < 0.35, qPrintable(stats));
            QVERIFY2(darkShare > 0.5, qPrintable(stats));
            QVERIFY2(coherent > 0.6, qPrintable(stats));

            // Marker channels carry structure of their own, above the background.
            for (int c = 1; c < 3; ++c) {
                const std::vector<float> marker = plane(image, c);
                std::int64_t lit = 0;
                for (float v : marker)
                    lit += v > 0.25f;
                QVERIFY2(static_cast<double>(lit) > total * 0.005,
                         qPrintable(QString("%1, channel %2: %3 lit").arg(stats).arg(c).arg(lit)));
                QVERIFY(marker != nuclei);
            }
        }
    }

    void channelNames() {
        const SyntheticSource source({.size = {8, 8}, .channels = 8});
        QCOMPARE(source.channelName(0), std::string("nuclei"));
        QCOMPARE(source.channelName(1), std::string("cytoplasm"));
        QCOMPARE(source.channelName(2), std::string("membrane"));
        QCOMPARE(source.channelName(3), std::string("diffuse"));
        QCOMPARE(source.channelName(5), std::string("membrane 2"));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, source.channelName(8));
    }

    void badSourcesAndReadsAreRefused() {
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, SyntheticSource({.size = {0, 5}, .channels = 1}));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, SyntheticSource({.size = {5, 5}, .channels = 0}));
        QVERIFY_THROWS_EXCEPTION(
            InvalidArgument, SyntheticSource({.size = {5, 5}, .channels = 1, .dtype = DType::I16}));
        const SyntheticSource source({.size = {64, 64}, .channels = 2});
        Image out(ImageInfo{{8, 8}, 2, DType::U16});
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, source.read({60, 60, 8, 8}, out.view()));
        Image wrong(ImageInfo{{8, 8}, 1, DType::U16});
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, source.read({0, 0, 8, 8}, wrong.view()));
    }

    void parsesSpecs() {
        const SyntheticSpec full = SyntheticSpec::parse("synthetic:4096x2048x8:f32:7");
        QCOMPARE(full.size, (Size{4096, 2048}));
        QCOMPARE(full.channels, 8);
        QCOMPARE(full.dtype, DType::F32);
        QCOMPARE(full.seed, std::uint64_t{7});
        QCOMPARE(full.toString(), std::string("synthetic:4096x2048x8:f32:7"));
        QVERIFY(SyntheticSpec::parse(full.toString()) == full);

        const SyntheticSpec defaults = SyntheticSpec::parse("synthetic:10x20x3");
        QCOMPARE(defaults.dtype, DType::U16);
        QCOMPARE(defaults.seed, std::uint64_t{0});
        QCOMPARE(SyntheticSpec::parse("synthetic:10x20x3:u8").dtype, DType::U8);
        QCOMPARE(SyntheticSpec::parse("synthetic:10x20x3:18446744073709551615").seed,
                 std::uint64_t{18446744073709551615ull});
        QVERIFY(SyntheticSpec::matches("synthetic:1x1x1"));
        QVERIFY(!SyntheticSpec::matches("/data/slide.svs"));
    }

    void refusesMalformedSpecs_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("empty") << ""
                               << "does not start with";
        QTest::newRow("other prefix") << "synth:1x1x1"
                                      << "does not start with";
        QTest::newRow("no size") << "synthetic:"
                                 << "WxHxC";
        QTest::newRow("two dims") << "synthetic:10x20"
                                  << "WxHxC";
        QTest::newRow("four dims") << "synthetic:10x20x3x4"
                                   << "'3x4' is not a positive integer";
        QTest::newRow("zero channels") << "synthetic:10x20x0"
                                       << "'0' is not a positive integer";
        QTest::newRow("negative") << "synthetic:-1x20x3"
                                  << "'-1' is not a positive integer";
        QTest::newRow("space") << "synthetic:10 x20x3"
                               << "'10 ' is not a positive integer";
        QTest::newRow("huge side") << "synthetic:9999999999x2x3"
                                   << "at most";
        QTest::newRow("many channels") << "synthetic:2x2x1000"
                                       << "at most 256";
        QTest::newRow("i16") << "synthetic:2x2x1:i16"
                             << "not offered";
        QTest::newRow("f64") << "synthetic:2x2x1:f64"
                             << "neither a dtype";
        QTest::newRow("seed first") << "synthetic:2x2x1:7:u8"
                                    << "before the seed";
        QTest::newRow("two seeds") << "synthetic:2x2x1:7:8"
                                   << "twice";
        QTest::newRow("two dtypes") << "synthetic:2x2x1:u8:u16"
                                    << "once";
        QTest::newRow("too many") << "synthetic:2x2x1:u8:7:9"
                                  << "too many";
        QTest::newRow("seed overflow") << "synthetic:2x2x1:u8:99999999999999999999999"
                                       << "neither";
        QTest::newRow("empty field") << "synthetic:2x2x1:"
                                     << "neither";
    }
    void refusesMalformedSpecs() {
        QFETCH(QString, text);
        QFETCH(QString, fragment);
        try {
            SyntheticSpec::parse(text.toStdString());
            QFAIL("accepted");
        } catch (const InvalidArgument& e) {
            const QString message = e.what();
            QVERIFY2(message.contains(fragment), qPrintable(message));
            QVERIFY2(message.contains("'" + text + "'"), qPrintable(message));
        }
    }
};

QTEST_GUILESS_MAIN(TestSynthetic)
#include "test_synthetic.moc"
