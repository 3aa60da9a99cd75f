// The programs of examples/: each runs on a small input made here, and what it writes and
// prints is checked against an expectation computed here independently (by hand, or by
// running the operation untiled on the same pixels).
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "process_run.hpp"
#include "test_images.hpp"
#include "tiled_runs.hpp"
#include "tileflow/engine.hpp"
#include "tileflow/npy.hpp"
#include "tileflow/registry.hpp"
#include "tileflow/tiff_sink.hpp"
#include "tileflow/tiff_source.hpp"
#include "tileflow/zarr.hpp"

using namespace tileflow;
using namespace tileflow::testing;

namespace {

// Runs an example in `folder` (where it may leave its default files).
Outcome runExample(const char* binary, const QStringList& args, const QString& folder) {
    return runProgram(QString::fromUtf8(binary), args, QProcessEnvironment::systemEnvironment(),
                      300000, folder);
}

#define RUN_OK(outcome)                                                            \
    QVERIFY2((outcome).exitCode == 0, qPrintable(QStringLiteral("exit %1\n%2\n%3") \
                                                     .arg((outcome).exitCode)      \
                                                     .arg((outcome).out, (outcome).err)))

// The first capture of `pattern` in `text`, or an empty string.
QString capture(const QString& text, const QString& pattern) {
    const QRegularExpressionMatch m = QRegularExpression(pattern).match(text);
    return m.hasMatch() ? m.captured(1) : QString();
}

// %g of printf, as the examples print their figures.
QString g(double v) {
    return QString::asprintf("%g", v);
}

std::string path(const QTemporaryDir& dir, const char* name) {
    return dir.filePath(QString::fromUtf8(name)).toStdString();
}

void writeZarr(const std::string& where, ConstImageView pixels, OmeZarrOptions options) {
    OmeZarrSink sink(where, std::move(options));
    sink.begin(pixels.info());
    sink.write(rectOf(pixels.size()), pixels);
    sink.commit();
}

// Mean and standard deviation of channel 0, in two passes.
std::pair<double, double> moments(ConstImageView v) {
    const std::vector<double> values = channelValues(v, 0);
    double sum = 0, squares = 0;
    for (double x : values)
        sum += x;
    const double mean = sum / static_cast<double>(values.size());
    for (double x : values)
        squares += (x - mean) * (x - mean);
    return {mean, std::sqrt(squares / static_cast<double>(values.size()))};
}

// numpy's default (linear) percentile: p / 100 * (n - 1) into the sorted values.
double percentile(std::vector<double> values, double p) {
    std::sort(values.begin(), values.end());
    const double rank = p / 100 * static_cast<double>(values.size() - 1);
    const auto below = static_cast<std::size_t>(std::floor(rank));
    const std::size_t above = std::min(below + 1, values.size() - 1);
    return values[below] + (rank - std::floor(rank)) * (values[above] - values[below]);
}

void set16(Image& image, int c, std::int64_t x, std::int64_t y, double v) {
    image.view().row<std::uint16_t>(c, y)[x] = static_cast<std::uint16_t>(v);
}

}  // namespace

class TestExamples : public QObject {
    Q_OBJECT

private slots:
    void basicUsageStretchesToThePercentiles() {
        QTemporaryDir dir;
        // A ramp of distinct values 0 .. 3071, so the percentiles are known by hand:
        // numpy's linear percentile p of 0 .. n-1 is p / 100 * (n - 1).
        Image in(DType::U16, 1, 64, 48);
        for (std::int64_t y = 0; y < 48; ++y) {
            for (std::int64_t x = 0; x < 64; ++x)
                set16(in, 0, x, y, static_cast<double>(x + 64 * y));
        }
        writeNpy(path(dir, "in.npy"), in);
        const Outcome r = runExample(EXAMPLE_BASIC_USAGE,
                                     {dir.filePath("in.npy"), dir.filePath("out.npy")}, dir.path());
        RUN_OK(r);
        const double low = 0.01 * 3071, high = 0.99 * 3071;
        QVERIFY2(
            r.out.contains(QStringLiteral("channel 0: [%1, %2] -> [0, 1]").arg(g(low), g(high))),
            qPrintable(r.out));

        const Image out = readNpy(path(dir, "out.npy"));
        QCOMPARE(out.info(), (ImageInfo{{64, 48}, 1, DType::F32}));
        const std::vector<double> values = channelValues(out, 0);
        QCOMPARE(*std::min_element(values.begin(), values.end()), 0.0);
        QCOMPARE(*std::max_element(values.begin(), values.end()), 1.0);
        QCOMPARE(at<float>(out, 0, 10, 20), static_cast<float>((1290 - low) / (high - low)));
        QCOMPARE(at<float>(out, 0, 30, 0), 0.0f);   // 30 < 30.71: clipped
        QCOMPARE(at<float>(out, 0, 41, 47), 1.0f);  // 3049 > 3040.29: clipped
    }

    void multichannelProcessingFindsDapiByName() {
        QTemporaryDir dir;
        const Image in = randomImage(DType::U16, 3, 1100, 700, 1);
        writeZarr(path(dir, "stack.zarr"), in, {.channelNames = {"GFP", "DAPI", "mCherry"}});
        const Outcome r =
            runExample(EXAMPLE_MULTICHANNEL_PROCESSING,
                       {dir.filePath("stack.zarr"), dir.filePath("edges.npy")}, dir.path());
        RUN_OK(r);
        QVERIFY2(r.out.contains("edges of channel 1 (DAPI)"), qPrintable(r.out));
        // The example's tiles (512) cut this image in 3 x 2; the reference is one tile.
        const RunResult reference =
            runWhole(createOperation("sobel"), ConstImageView(in).channel(1));
        QVERIFY(samePixels(readNpy(path(dir, "edges.npy")), reference.image));
    }

    void zarrIntegrationWritesEachChannel() {
        QTemporaryDir dir;
        const Image in = randomImage(DType::U16, 2, 600, 520, 2);
        writeZarr(path(dir, "in.zarr"), in,
                  {.chunk = 128, .channelNames = {"DAPI", "FITC"}, .micronsPerPixel = 0.5});
        const Outcome r = runExample(
            EXAMPLE_ZARR_INTEGRATION,
            {dir.filePath("in.zarr"), dir.filePath("out"), "--sigma", "1.5"}, dir.path());
        RUN_OK(r);
        const QStringList names{"DAPI", "FITC"};
        for (int c = 0; c < 2; ++c) {
            QVERIFY2(r.out.contains(QStringLiteral("channel %1 (%2)").arg(c).arg(names[c])),
                     qPrintable(r.out));
            const ZarrSource out(path(dir, "out") + "/channel-" + std::to_string(c) + ".zarr");
            QCOMPARE(out.metadata().channelNames,
                     (std::vector<std::string>{names[c].toStdString()}));
            QCOMPARE(out.metadata().micronsPerPixel.value_or(0), 0.5);
            QVERIFY(out.metadata().levels.size() > 1);
            const RunResult reference = runWhole(createOperation("gaussian", {{"sigma", "1.5"}}),
                                                 ConstImageView(in).channel(c));
            QVERIFY2(samePixels(readImage(out), reference.image), qPrintable(QString::number(c)));
        }
    }

    void nucleiPipelineCountsTheDrawnNuclei() {
        QTemporaryDir dir;
        // Nine discs in channel 1, some across the example's 512-pixel tile borders; channel
        // 0 is noise that must not be segmented.
        const std::vector<std::pair<double, double>> centres{{60, 60},   {512, 100}, {300, 300},
                                                             {512, 512}, {650, 40},  {100, 500},
                                                             {400, 580}, {690, 300}, {200, 200}};
        Image in = randomImage(DType::U16, 2, 720, 620, 3);
        std::mt19937 rng(4);
        std::uniform_int_distribution<int> noise(-200, 200);
        for (std::int64_t y = 0; y < 620; ++y) {
            for (std::int64_t x = 0; x < 720; ++x) {
                bool inside = false;
                for (auto [cx, cy] : centres)
                    inside = inside || std::hypot(static_cast<double>(x) - cx,
                                                  static_cast<double>(y) - cy) <= 9;
                set16(in, 1, x, y, (inside ? 20000 : 3000) + noise(rng));
            }
        }
        writeNpy(path(dir, "in.npy"), in);
        const Outcome r = runExample(
            EXAMPLE_NUCLEI_PIPELINE,
            {dir.filePath("in.npy"), dir.filePath("mask.npy"), "--channel", "1"}, dir.path());
        RUN_OK(r);
        QCOMPARE(capture(r.out, "nuclei: (\\d+)"), QString::number(centres.size()));
        const Image mask = readNpy(path(dir, "mask.npy"));
        QCOMPARE(mask.info(), (ImageInfo{{720, 620}, 1, DType::U8}));
        for (auto [cx, cy] : centres) {
            QCOMPARE(at<std::uint8_t>(mask, 0, static_cast<std::int64_t>(cx),
                                      static_cast<std::int64_t>(cy)),
                     std::uint8_t{255});
        }
        std::int64_t foreground = 0;
        for (double v : channelValues(mask, 0))
            foreground += v != 0 ? 1 : 0;
        // About nine discs of radius 9 (254 pixels each); nothing else.
        QVERIFY2(foreground > std::int64_t{9} * 200 && foreground < std::int64_t{9} * 320,
                 qPrintable(QString::number(foreground)));
    }

    void concurrentChannelsMatchOneRunPerChannel() {
        QTemporaryDir dir;
        // Each channel has its own two levels, so each has its own Otsu threshold.
        Image in(DType::U16, 4, 600, 500);
        std::mt19937 rng(5);
        for (int c = 0; c < 4; ++c) {
            std::normal_distribution<double> low(1000 + 500 * c, 100), high(9000 + 2000 * c, 300);
            for (std::int64_t y = 0; y < 500; ++y) {
                for (std::int64_t x = 0; x < 600; ++x)
                    set16(in, c, x, y, ((x / 50 + y / 40 + c) % 3 == 0) ? high(rng) : low(rng));
            }
        }
        writeNpy(path(dir, "in.npy"), in);
        const Outcome r = runExample(
            EXAMPLE_CONCURRENT_CHANNELS,
            {dir.filePath("in.npy"), dir.filePath("masks"), "--workers", "3"}, dir.path());
        RUN_OK(r);
        for (int c = 0; c < 4; ++c) {
            const RunResult reference = runWhole(createOperation("threshold", {{"method", "otsu"}}),
                                                 ConstImageView(in).channel(c));
            const QString line = QStringLiteral("channel %1: threshold %2,")
                                     .arg(c)
                                     .arg(g(measurement(reference, "threshold_c0")));
            QVERIFY2(r.out.contains(line), qPrintable(line + "\n" + r.out));
            const TiffSource out(path(dir, "masks") + "/channel-" + std::to_string(c) + ".tif");
            QVERIFY2(samePixels(readImage(out), reference.image), qPrintable(QString::number(c)));
        }
    }

    void monitoringReportsTheRun() {
        QTemporaryDir dir;
        const Image in = randomImage(DType::U16, 2, 1100, 600, 6);
        writeNpy(path(dir, "in.npy"), in);
        const Outcome r = runExample(EXAMPLE_MONITORING,
                                     {dir.filePath("in.npy"), dir.filePath("edges.npy"),
                                      "--energy-log", dir.filePath("energy.csv")},
                                     dir.path());
        RUN_OK(r);
        // 512-pixel tiles: 3 x 2 of them, one pass.
        QVERIFY2(r.out.contains(QRegularExpression("^sobel 100% 6/6 tiles .* done in ",
                                                   QRegularExpression::MultilineOption)),
                 qPrintable(r.out));
        QCOMPARE(capture(r.out, "tiles: (\\d+) in"), QStringLiteral("6"));
        const double p50 = capture(r.out, "p50 ([0-9.]+) ms").toDouble();
        const double p95 = capture(r.out, "p95 ([0-9.]+) ms").toDouble();
        const double max = capture(r.out, "max ([0-9.]+) ms").toDouble();
        QVERIFY2(p50 > 0 && p50 <= p95 && p95 <= max, qPrintable(r.out));
        QVERIFY2(capture(r.out, "engine buffers up to ([0-9.]+) MiB").toDouble() > 0,
                 qPrintable(r.out));

        // The energy line and the CSV log tell the same story.
        QFile log(dir.filePath("energy.csv"));
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QStringList rows = QString::fromUtf8(log.readAll()).trimmed().split('\n');
        QCOMPARE(rows.size(), 2);
        QCOMPARE(rows[0], QStringLiteral("timestamp,run_name,duration_s,energy_kwh,emissions_kg,"
                                         "grid_intensity_gco2e_per_kwh,status"));
        const QStringList fields = rows[1].split(',');
        QCOMPARE(fields.size(), 7);
        QCOMPARE(fields[1], QStringLiteral("monitoring example"));
        QVERIFY2(fields[2].toDouble() > 0, qPrintable(rows[1]));
        const bool measured = !r.out.contains("energy: unavailable");
        QCOMPARE(fields[6], QString(measured ? "measured" : "unavailable"));
        if (measured) {
            // Printed in joules to 0.1 J, logged in kWh: 1 kWh = 3.6e6 J.
            const double joules = capture(r.out, "energy: ([0-9.]+) J").toDouble();
            QVERIFY2(std::abs(fields[3].toDouble() * 3.6e6 - joules) <= 0.05 + 1e-6 * joules,
                     qPrintable(rows[1] + "\n" + r.out));
        } else {
            QVERIFY2(fields[3].isEmpty() && fields[4].isEmpty(), qPrintable(rows[1]));
        }

        QVERIFY(samePixels(readNpy(path(dir, "edges.npy")),
                           runWhole(createOperation("sobel"), in).image));
    }

    void customCallbackPrintsTheSnrOfEveryTile() {
        QTemporaryDir dir;
        // 128-pixel tiles over 300 x 200: 3 x 2 tiles, each with its own noise level.
        Image in(DType::U16, 1, 300, 200);
        std::mt19937 rng(7);
        for (std::int64_t y = 0; y < 200; ++y) {
            for (std::int64_t x = 0; x < 300; ++x) {
                const std::int64_t tile = x / 128 + 3 * (y / 128);
                const double spread = 100.0 * static_cast<double>(1 + tile);
                set16(in, 0, x, y, std::normal_distribution<double>(10000, spread)(rng));
            }
        }
        writeNpy(path(dir, "in.npy"), in);
        const Outcome r = runExample(
            EXAMPLE_CUSTOM_CALLBACK,
            {dir.filePath("in.npy"), dir.filePath("out.npy"), "--tile", "128"}, dir.path());
        RUN_OK(r);
        QVERIFY2(r.out.startsWith("6 tiles, median snr "), qPrintable(r.out));

        const Image denoised = runWhole(createOperation("gaussian", {{"sigma", "1.5"}}), in).image;
        const QRegularExpression line(
            "^tile (\\d+),(\\d+) (\\d+),(\\d+) (\\d+)x(\\d+): mean (\\S+) "
            "std (\\S+) snr (\\S+) -> (\\S+)$",
            QRegularExpression::MultilineOption);
        int lines = 0;
        double previous = 0;
        for (auto it = line.globalMatch(r.out); it.hasNext(); ++lines) {
            const QRegularExpressionMatch m = it.next();
            const std::int64_t col = m.captured(1).toLongLong(), row = m.captured(2).toLongLong();
            const Rect core{col * 128, row * 128, std::min<std::int64_t>(128, 300 - col * 128),
                            std::min<std::int64_t>(128, 200 - row * 128)};
            QCOMPARE(m.captured(3).toLongLong(), core.x);
            QCOMPARE(m.captured(4).toLongLong(), core.y);
            QCOMPARE(m.captured(5).toLongLong(), core.width);
            QCOMPARE(m.captured(6).toLongLong(), core.height);
            const auto [mean, deviation] = moments(ConstImageView(in).region(core));
            QCOMPARE(m.captured(7), g(mean));
            const auto close = [](double printed, double v) {
                return std::abs(printed - v) <= 1e-5 * std::abs(v);
            };
            QVERIFY2(close(m.captured(8).toDouble(), deviation), qPrintable(m.captured(0)));
            const double snr = m.captured(9).toDouble();
            QVERIFY2(close(snr, mean / deviation), qPrintable(m.captured(0)));
            const auto [meanAfter, deviationAfter] = moments(ConstImageView(denoised).region(core));
            QVERIFY2(close(m.captured(10).toDouble(), meanAfter / deviationAfter),
                     qPrintable(m.captured(0)));
            QVERIFY2(snr >= previous, "tiles are listed noisiest first");
            previous = snr;
        }
        QCOMPARE(lines, 6);
    }

    void wholeSlideProcessesOnlyWhereTheOverviewShowsTissue() {
        QTemporaryDir dir;
        // White glass, tissue in rectangles aligned to the coarse level's 8-pixel grid, so the
        // 2x2 means that make the levels keep them pure.
        constexpr std::int64_t kWidth = 512, kHeight = 384, kBlock = 128;
        const std::uint8_t glass[3] = {245, 245, 245}, stain[3] = {150, 80, 180};
        Image slide(DType::U8, 3, kWidth, kHeight);
        auto paint = [&](const Rect& r, const std::uint8_t* colour) {
            for (int c = 0; c < 3; ++c) {
                for (std::int64_t y = r.y; y < r.bottom(); ++y)
                    std::fill_n(slide.view().row<std::uint8_t>(c, y) + r.x, r.width, colour[c]);
            }
        };
        paint({0, 0, kWidth, kHeight}, glass);
        const std::vector<Rect> tissue{{128, 0, 128, 128},   // block (1, 0), whole
                                       {264, 136, 64, 64},   // inside block (2, 1)
                                       {40, 296, 48, 40},    // inside block (0, 2)
                                       {336, 208, 96, 96}};  // blocks (2..3, 1..2)
        for (const Rect& r : tissue)
            paint(r, stain);
        // Tissue the overview shows under 5% of its block, and one pixel it cannot show:
        // both stay unprocessed.
        paint({400, 40, 16, 16}, stain);
        paint({100, 200, 1, 1}, stain);
        {
            TiffSink sink(path(dir, "slide.tif"), {.tileSize = 64, .levels = 4});
            sink.begin(slide.info());
            sink.write(rectOf(slide.size()), slide);
            sink.commit();
        }
        const Outcome r = runExample(EXAMPLE_WHOLE_SLIDE,
                                     {dir.filePath("slide.tif"), dir.filePath("mask.npy"),
                                      "--block", QString::number(kBlock)},
                                     dir.path());
        RUN_OK(r);
        QVERIFY2(r.out.contains("coarse level 3 (downsample 8): tissue in 6 of 12 blocks\n"),
                 qPrintable(r.out));

        const Image mask = readNpy(path(dir, "mask.npy"));
        QCOMPARE(mask.info(), (ImageInfo{{kWidth, kHeight}, 1, DType::U8}));
        for (std::int64_t y = 0; y < kHeight; ++y) {
            for (std::int64_t x = 0; x < kWidth; ++x) {
                const Rect pixel{x, y, 1, 1};
                const bool inTissue = std::any_of(tissue.begin(), tissue.end(),
                                                  [&](const Rect& t) { return t.contains(pixel); });
                QCOMPARE(at<std::uint8_t>(mask, 0, x, y),
                         static_cast<std::uint8_t>(inTissue ? 255 : 0));
            }
        }
    }

    void badArgumentsAreRefusedByName_data() {
        QTest::addColumn<QString>("example");
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("no workers")
            << QString(EXAMPLE_CONCURRENT_CHANNELS) << QStringList{"--workers", "0"}
            << "--workers needs a whole number of at least 1, not '0'";
        QTest::newRow("size not a number")
            << QString(EXAMPLE_BASIC_USAGE) << QStringList{"--size", "2k"}
            << "--size needs a whole number of at least 1, not '2k'";
        QTest::newRow("negative sigma")
            << QString(EXAMPLE_NUCLEI_PIPELINE) << QStringList{"--sigma", "-1"}
            << "--sigma needs a number greater than 0, not '-1'";
        QTest::newRow("missing value")
            << QString(EXAMPLE_WHOLE_SLIDE) << QStringList{"--block"} << "--block needs a value";
        QTest::newRow("unknown option")
            << QString(EXAMPLE_MONITORING) << QStringList{"--energylog", "x.csv"}
            << "unknown option --energylog";
    }
    void badArgumentsAreRefusedByName() {
        QFETCH(QString, example);
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        QTemporaryDir dir;
        const Outcome r = runExample(example.toUtf8().constData(), args, dir.path());
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        QVERIFY2(QDir(dir.path()).isEmpty(), "nothing is written");
    }

    void multispectralNdviIsTheNormalisedDifference() {
        QTemporaryDir dir;
        Image bands(DType::U16, 4, 300, 200);
        std::mt19937 rng(8);
        for (int c = 0; c < 4; ++c) {
            std::uniform_int_distribution<int> value(0, 1000 * (c + 1));
            for (std::int64_t y = 0; y < 200; ++y) {
                for (std::int64_t x = 0; x < 300; ++x)
                    set16(bands, c, x, y, value(rng));
            }
        }
        set16(bands, 1, 0, 0, 0);  // red + nir = 0 gives 0
        set16(bands, 3, 0, 0, 0);
        writeNpy(path(dir, "bands.npy"), bands);
        const Outcome r = runExample(
            EXAMPLE_MULTISPECTRAL_NDVI,
            {dir.filePath("bands.npy"), dir.filePath("ndvi.npy"), "--red", "1", "--nir", "3"},
            dir.path());
        RUN_OK(r);
        const RunResult otsu = runWhole(createOperation("threshold", {{"method", "otsu"}}), bands);
        for (int c = 0; c < 4; ++c) {
            const QString line = QStringLiteral("band %1 (C%1): p1 %2, p99 %3, otsu %4")
                                     .arg(c)
                                     .arg(g(percentile(channelValues(bands, c), 1)),
                                          g(percentile(channelValues(bands, c), 99)),
                                          g(measurement(otsu, "threshold_c" + std::to_string(c))));
            QVERIFY2(r.out.contains(line), qPrintable(line + "\n" + r.out));
        }
        const Image ndvi = readNpy(path(dir, "ndvi.npy"));
        QCOMPARE(ndvi.info(), (ImageInfo{{300, 200}, 1, DType::F32}));
        QCOMPARE(at<float>(ndvi, 0, 0, 0), 0.0f);
        for (std::int64_t y = 0; y < 200; ++y) {
            for (std::int64_t x = 0; x < 300; ++x) {
                if (x == 0 && y == 0)
                    continue;
                const double red = at<std::uint16_t>(bands, 1, x, y);
                const double nir = at<std::uint16_t>(bands, 3, x, y);
                QCOMPARE(at<float>(ndvi, 0, x, y), static_cast<float>((nir - red) / (nir + red)));
            }
        }
    }
};

QTEST_APPLESS_MAIN(TestExamples)
#include "test_examples.moc"
