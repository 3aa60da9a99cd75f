// OpenSlideSource against Debian's openslide-python (python3-openslide, OpenSlide 3.4.1) on
// the real slides in TILEFLOW_TESTDATA and on RGBA TIFFs written by tifffile: levels,
// downsamples, properties, regions at every level, associated images, the premultiplied-ARGB
// conversion, canOpen(), errors and concurrent reads.
#include <QtTest>
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "python_oracle.hpp"
#include "test_images.hpp"
#include "tileflow/error.hpp"
#include "tileflow/npy.hpp"
#include "tileflow/openslide_source.hpp"

using namespace tileflow;
using tileflow::testing::at;
using tileflow::testing::runPython;

namespace {

// `relative` inside TILEFLOW_TESTDATA, or an empty string when it is not there.
QString testData(const QString& relative) {
    const QString root = qEnvironmentVariable("TILEFLOW_TESTDATA");
    if (root.isEmpty())
        return {};
    const QString file = QDir(root).filePath(relative);
    return QFileInfo::exists(file) ? file : QString();
}

// `var` is the name of the variable declared, which parentheses would break.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define REQUIRE_TESTDATA(var, relative)                                             \
    const QString var = testData(relative);                                         \
    do {                                                                            \
        if (var.isEmpty())                                                          \
            QSKIP(qPrintable(QString("TILEFLOW_TESTDATA lacks %1").arg(relative))); \
    } while (false)
// NOLINTEND(bugprone-macro-parentheses)

// The oracle: openslide-python reads each region (at the level-0 origin round(x * downsample),
// as OpenSlideSource documents) and every associated image. openslide-python returns
// un-premultiplied RGBA; the script composites it over the slide's background (white unless
// openslide.background-color says otherwise) and saves <name>_rgb.npy (3, H, W) and
// <name>_alpha.npy (H, W). meta.json holds vendor, levels, properties and associated names.
const char* const kOracle = R"(
import json, math, sys
import numpy as np, openslide
path, out, regions = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
s = openslide.OpenSlide(path)
colour = s.properties.get('openslide.background-color', '')
try:
    bg = np.array([int(colour[i:i + 2], 16) for i in (0, 2, 4)], dtype=np.float64)
    assert len(colour) == 6
except (ValueError, AssertionError):
    bg = np.full(3, 255.0)
def save(name, image):
    a = np.asarray(image.convert('RGBA'), dtype=np.float64)
    alpha = a[..., 3:]
    mixed = np.floor(a[..., :3] * alpha / 255 + (255 - alpha) * bg / 255 + 0.5)
    rgb = np.where(alpha == 255, a[..., :3], np.where(alpha == 0, bg, mixed))
    rgb = rgb.clip(0, 255).astype(np.uint8).transpose(2, 0, 1)
    np.save(out + '/' + name + '_rgb.npy', np.ascontiguousarray(rgb))
    np.save(out + '/' + name + '_alpha.npy', np.ascontiguousarray(a[..., 3].astype(np.uint8)))
for name, level, x, y, w, h in regions:
    ds = s.level_downsamples[level]
    origin = (math.floor(x * ds + 0.5), math.floor(y * ds + 0.5))
    save(name, s.read_region(origin, level, (w, h)))
for name, image in s.associated_images.items():
    save('associated_' + name, image)
meta = {
    'vendor': openslide.OpenSlide.detect_format(path),
    'levels': [[w, h, d] for (w, h), d in zip(s.level_dimensions, s.level_downsamples)],
    'properties': dict(s.properties),
    'associated': sorted(s.associated_images),
}
with open(out + '/meta.json', 'w') as f:
    json.dump(meta, f)
)";

struct Region {
    QString name;
    int level;
    Rect rect;
};

struct Agreement {
    std::int64_t opaque = 0;
    std::int64_t transparent = 0;
    std::int64_t partial = 0;
};

// Compares our pixels with the oracle's: exactly where alpha is 0 or 255, within 1 where the
// pixel is partially transparent (openslide-python's un-premultiplied values are rounded).
Agreement compareWithOracle(const Image& ours, const QString& stem) {
    const Image rgb = readNpy((stem + "_rgb.npy").toStdString());
    const Image alpha = readNpy((stem + "_alpha.npy").toStdString());
    Agreement counts;
    if (rgb.info() != ours.info()) {
        QTest::qFail(qPrintable(stem + ": oracle and ours differ in shape"), __FILE__, __LINE__);
        return counts;
    }
    QString firstMismatch;
    std::int64_t mismatches = 0;
    for (std::int64_t y = 0; y < ours.height(); ++y) {
        for (std::int64_t x = 0; x < ours.width(); ++x) {
            const int a = at<std::uint8_t>(alpha, 0, x, y);
            const bool exact = a == 0 || a == 255;
            (a == 255 ? counts.opaque : a == 0 ? counts.transparent : counts.partial) += 1;
            for (int c = 0; c < 3; ++c) {
                const int o = at<std::uint8_t>(ours, c, x, y);
                const int e = at<std::uint8_t>(rgb, c, x, y);
                if (exact ? o != e : std::abs(o - e) > 1) {
                    if (mismatches++ == 0) {
                        firstMismatch = QString("(c %1, x %2, y %3, alpha %4): ours %5, oracle %6")
                                            .arg(c)
                                            .arg(x)
                                            .arg(y)
                                            .arg(a)
                                            .arg(o)
                                            .arg(e);
                    }
                }
            }
        }
    }
    if (mismatches != 0) {
        QTest::qFail(qPrintable(QString("%1: %2 samples differ, first %3")
                                    .arg(stem)
                                    .arg(mismatches)
                                    .arg(firstMismatch)),
                     __FILE__, __LINE__);
    }
    return counts;
}

Image readRegion(const OpenSlideSource& source, int level, const Rect& r) {
    Image image(DType::U8, 3, r.width, r.height);
    source.readLevel(level, r, image);
    return image;
}

}  // namespace

class TestOpenSlideSource : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;

    // Runs the oracle on `file` for `regions` into a fresh folder; returns its path.
    QString runOracle(const QString& file, const std::vector<Region>& regions) {
        QJsonArray list;
        for (const Region& r : regions) {
            list.append(QJsonArray{r.name, r.level, static_cast<qint64>(r.rect.x),
                                   static_cast<qint64>(r.rect.y), static_cast<qint64>(r.rect.width),
                                   static_cast<qint64>(r.rect.height)});
        }
        QString out = QDir(dir_.path()).filePath(QFileInfo(file).completeBaseName());
        QDir().mkpath(out);
        QString output;
        const int code = runPython(
            kOracle,
            {file, out, QString::fromUtf8(QJsonDocument(list).toJson(QJsonDocument::Compact))},
            output);
        if (code != 0)
            QTest::qFail(qPrintable("oracle failed: " + output), __FILE__, __LINE__);
        return out;
    }

    // Metadata, every region and every associated image of `file` against the oracle.
    std::vector<Agreement> checkSlide(const QString& file, const std::vector<Region>& regions) {
        const QString out = runOracle(file, regions);
        std::vector<Agreement> agreements;
        QFile metaFile(out + "/meta.json");
        if (!metaFile.open(QIODevice::ReadOnly)) {
            QTest::qFail("the oracle wrote no meta.json", __FILE__, __LINE__);
            return agreements;
        }
        const QJsonObject meta = QJsonDocument::fromJson(metaFile.readAll()).object();

        const OpenSlideSource source(file.toStdString());
        const SourceMetadata m = source.metadata();
        const std::string vendor = meta["vendor"].toString().toStdString();
        [&] {
            QCOMPARE(source.vendor(), vendor);
            QCOMPARE(m.format, vendor);
            QCOMPARE(m.channelNames, (std::vector<std::string>{"R", "G", "B"}));

            const QJsonArray levels = meta["levels"].toArray();
            QCOMPARE(m.levels.size(), static_cast<std::size_t>(levels.size()));
            for (qsizetype i = 0; i < levels.size(); ++i) {
                const QJsonArray l = levels[i].toArray();
                const SourceLevel& ours = m.levels[static_cast<std::size_t>(i)];
                QCOMPARE(static_cast<qint64>(ours.size.width), l[0].toInteger());
                QCOMPARE(static_cast<qint64>(ours.size.height), l[1].toInteger());
                QCOMPARE(ours.downsample, l[2].toDouble());
            }
            QCOMPARE(source.info(), (ImageInfo{m.levels[0].size, 3, DType::U8}));

            const QJsonObject properties = meta["properties"].toObject();
            std::map<std::string, std::string> expected;
            for (auto it = properties.begin(); it != properties.end(); ++it)
                expected[it.key().toStdString()] = it.value().toString().toStdString();
            const std::map<std::string, std::string> ours(m.properties.begin(), m.properties.end());
            QCOMPARE(ours.size(), m.properties.size());  // no duplicate names
            QCOMPARE(ours, expected);
            if (expected.count("openslide.mpp-x")) {
                QVERIFY(m.micronsPerPixel.has_value());
                QCOMPARE(*m.micronsPerPixel, std::stod(expected["openslide.mpp-x"]));
            } else {
                QVERIFY(!m.micronsPerPixel.has_value());
            }

            std::vector<std::string> associated;
            for (const QJsonValue name : meta["associated"].toArray())
                associated.push_back(name.toString().toStdString());
            std::vector<std::string> ourAssociated = m.associatedImages;
            std::sort(ourAssociated.begin(), ourAssociated.end());
            QCOMPARE(ourAssociated, associated);
        }();
        if (QTest::currentTestFailed())
            return agreements;

        for (const Region& r : regions) {
            agreements.push_back(
                compareWithOracle(readRegion(source, r.level, r.rect), out + "/" + r.name));
        }
        for (const std::string& name : m.associatedImages) {
            compareWithOracle(source.readAssociated(name),
                              out + "/associated_" + QString::fromStdString(name));
        }
        return agreements;
    }

    // An RGBA tiled TIFF with transparent, opaque and partially transparent pixels.
    QString writeRgbaTiff() {
        QString file = QDir(dir_.path()).filePath("rgba.tif");
        if (QFileInfo::exists(file))
            return file;
        QString output;
        const int code = runPython(R"(
import sys
import numpy as np, tifffile
rng = np.random.default_rng(7)
d = rng.integers(0, 256, (130, 150, 4), dtype=np.uint8)
d[:10, :, 3] = 0
d[10:20, :, 3] = 255
tifffile.imwrite(sys.argv[1], d, tile=(64, 64), photometric='rgb', extrasamples=['unassalpha'])
)",
                                   {file}, output);
        if (code != 0)
            QTest::qFail(qPrintable("tifffile failed: " + output), __FILE__, __LINE__);
        return file;
    }

private slots:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void compositingFormula() {
        // Premultiplied ARGB over (10, 200, 255): opaque keeps its value, transparent becomes
        // the background, half transparent adds round(127 * bg / 255); invalid samples clip.
        const std::array<std::uint8_t, 3> bg{10, 200, 255};
        const std::uint32_t argb[] = {
            0xff102030u, 0x00000000u, 0x80400080u, 0x00ffffffu,  // row 0
            0xdeadbeefu, 0xdeadbeefu, 0xdeadbeefu, 0xdeadbeefu,  // padding (stride 8)
            0x01000000u, 0xfe010203u, 0x7f7f7f7fu, 0xff000000u,  // row 1
        };
        Image canvas = Image::zeros({{6, 4}, 3, DType::U8});
        const ImageView out = canvas.view().region({1, 1, 4, 2});
        compositePremultipliedArgb(argb, 4, 2, 8, bg, out);
        const int expected[2][4][3] = {
            {{0x10, 0x20, 0x30}, {10, 200, 255}, {0x40 + 5, 0 + 100, 255}, {255, 255, 255}},
            {{10, 199, 254}, {1, 3, 4}, {127 + 5, 127 + 100, 127 + 128}, {0, 0, 0}},
        };
        for (int y = 0; y < 2; ++y) {
            for (int x = 0; x < 4; ++x) {
                for (int c = 0; c < 3; ++c)
                    QCOMPARE(int{at<std::uint8_t>(out, c, x, y)}, expected[y][x][c]);
            }
        }
        QCOMPARE(int{at<std::uint8_t>(canvas, 0, 0, 0)}, 0);  // outside the region: untouched
        Image wrong(DType::U8, 3, 3, 2);
        QVERIFY_THROWS_EXCEPTION(InvalidArgument,
                                 compositePremultipliedArgb(argb, 4, 2, 8, bg, wrong));
    }

    void smallSvs() {
        REQUIRE_TESTDATA(file, "openslide-python/small.svs");
        TILEFLOW_REQUIRE_PYTHON("openslide, numpy");
        const OpenSlideSource source(file.toStdString());
        QCOMPARE(source.vendor(), std::string("aperio"));
        QCOMPARE(source.info(), (ImageInfo{{16, 16}, 3, DType::U8}));
        QCOMPARE(source.metadata().associatedImages, std::vector<std::string>{"thumbnail"});
        QCOMPARE(source.readAssociated("thumbnail").info(), (ImageInfo{{16, 16}, 3, DType::U8}));
        QCOMPARE(source.background(), (std::array<std::uint8_t, 3>{255, 255, 255}));
        checkSlide(file, {{"full", 0, {0, 0, 16, 16}}, {"part", 0, {3, 5, 10, 7}}});
    }

    void aperioRegionsAcrossTilesAndPieces() {
        // 2220 x 2967 in 240 x 240 JPEG tiles with label, macro and thumbnail: the full read
        // crosses tile boundaries and our 2048-pixel read pieces.
        REQUIRE_TESTDATA(file, "libvips/CMU-1-Small-Region.svs");
        TILEFLOW_REQUIRE_PYTHON("openslide, numpy");
        const OpenSlideSource source(file.toStdString());
        QCOMPARE(source.info(), (ImageInfo{{2220, 2967}, 3, DType::U8}));
        QVERIFY(source.metadata().micronsPerPixel.has_value());
        QCOMPARE(*source.metadata().micronsPerPixel, 0.499);
        const auto agreements = checkSlide(file, {{"full", 0, {0, 0, 2220, 2967}},
                                                  {"tiles", 0, {230, 470, 300, 50}},
                                                  {"corner", 0, {2000, 2900, 220, 67}},
                                                  {"pixel", 0, {2047, 2048, 1, 1}}});
        for (const Agreement& a : agreements)
            QVERIFY(a.opaque > 0);
    }

    void genericTiffPyramidLevels() {
        // boxes.tiff: 300x250 in 64x64 tiles with levels 150x125, 75x62, 37x31 (downsamples 2,
        // 4.016, 8.086). Levels 2 and 3 are not compared pixel by pixel: they are smaller than
        // one tile, and OpenSlide 3.4.1 (libtiff's TIFFRGBAImage "adapting" the raster) returns
        // different partly uninitialised edge pixels from run to run, in Python too.
        REQUIRE_TESTDATA(file, "openslide-python/boxes.tiff");
        TILEFLOW_REQUIRE_PYTHON("openslide, numpy");
        const OpenSlideSource source(file.toStdString());
        QCOMPARE(source.vendor(), std::string("generic-tiff"));
        const SourceMetadata m = source.metadata();
        QCOMPARE(m.levels.size(), std::size_t{4});
        QCOMPARE(m.levels[1].size, (Size{150, 125}));
        QCOMPARE(m.levels[1].downsample, 2.0);
        QCOMPARE(m.levels[3].size, (Size{37, 31}));
        QVERIFY(std::abs(m.levels[2].downsample - 4.016) < 1e-3);
        QVERIFY(!m.micronsPerPixel.has_value());
        checkSlide(file, {{"l0", 0, {0, 0, 300, 250}},
                          {"l0tiles", 0, {60, 60, 70, 70}},
                          {"l1", 1, {0, 0, 150, 125}},
                          {"l1part", 1, {10, 20, 100, 80}},
                          {"l1edge", 1, {120, 60, 30, 65}}});
        QCOMPARE(readRegion(source, 2, {0, 0, 75, 62}).size(), (Size{75, 62}));
        QCOMPARE(readRegion(source, 3, {30, 20, 7, 11}).size(), (Size{7, 11}));

        // A level-1 region equals the same pixels of the whole level 1 (downsample 2 is exact).
        const Image level1 = readRegion(source, 1, {0, 0, 150, 125});
        QVERIFY(samePixels(level1.view().region({33, 17, 64, 64}),
                           readRegion(source, 1, {33, 17, 64, 64})));
    }

    void transparencyIsCompositedOverTheBackground() {
        TILEFLOW_REQUIRE_PYTHON("openslide, numpy, tifffile");
        const QString file = writeRgbaTiff();
        QVERIFY(OpenSlideSource::canOpen(file.toStdString()));
        const auto agreements =
            checkSlide(file, {{"full", 0, {0, 0, 150, 130}}, {"part", 0, {60, 5, 70, 70}}});
        QCOMPARE(agreements.size(), std::size_t{2});
        QVERIFY(agreements[0].transparent >= std::int64_t{150} * 10);
        QVERIFY(agreements[0].opaque >= std::int64_t{150} * 10);
        QVERIFY(agreements[0].partial > 10000);
        // Transparent rows are exactly the (white) background.
        const OpenSlideSource source(file.toStdString());
        const Image top = readRegion(source, 0, {0, 0, 150, 10});
        for (int c = 0; c < 3; ++c) {
            for (std::int64_t x = 0; x < 150; x += 7)
                QCOMPARE(int{at<std::uint8_t>(top, c, x, 9)}, 255);
        }
    }

    void canOpenDecidesLikeTheDesignSays() {
        const QString small = testData("openslide-python/small.svs");
        const QString boxes = testData("openslide-python/boxes.tiff");
        const QString unopenable = testData("openslide-python/unopenable.tiff");
        const QString png = testData("openslide-python/boxes.png");
        const QString ome = testData("libvips/multi-channel-z-series.ome.tif");
        if (!small.isEmpty())
            QVERIFY(OpenSlideSource::canOpen(small.toStdString()));
        if (!boxes.isEmpty())
            QVERIFY(OpenSlideSource::canOpen(boxes.toStdString()));
        if (!unopenable.isEmpty())
            QVERIFY(!OpenSlideSource::canOpen(unopenable.toStdString()));
        if (!png.isEmpty())
            QVERIFY(!OpenSlideSource::canOpen(png.toStdString()));
        if (!ome.isEmpty())
            QVERIFY(!OpenSlideSource::canOpen(ome.toStdString()));
        QVERIFY(!OpenSlideSource::canOpen(QDir(dir_.path()).filePath("missing.svs").toStdString()));
        QVERIFY(!OpenSlideSource::canOpen(dir_.path().toStdString()));

        // Tiled TIFFs OpenSlide 3.4.1 would open but squeeze into 8-bit RGB are refused.
        TILEFLOW_REQUIRE_PYTHON("numpy, tifffile");
        const QString folder = QDir(dir_.path()).filePath("kinds");
        QVERIFY(QDir().mkpath(folder));
        QString output;
        QVERIFY2(runPython(R"(
import os, sys
import numpy as np, tifffile
os.chdir(sys.argv[1])
t = dict(tile=(64, 64))
tifffile.imwrite('rgb8.tif', np.zeros((100, 90, 3), 'u1'), photometric='rgb', **t)
tifffile.imwrite('rgba8.tif', np.zeros((100, 90, 4), 'u1'), photometric='rgb',
                 extrasamples=['assocalpha'], **t)
tifffile.imwrite('gray8.tif', np.zeros((100, 90), 'u1'), photometric='minisblack', **t)
tifffile.imwrite('gray16.tif', np.zeros((100, 90), 'u2'), photometric='minisblack', **t)
tifffile.imwrite('rgb16.tif', np.zeros((100, 90, 3), 'u2'), photometric='rgb', **t)
tifffile.imwrite('float.tif', np.zeros((100, 90), 'f4'), photometric='minisblack', **t)
tifffile.imwrite('five.tif', np.zeros((100, 90, 5), 'u1'), photometric='minisblack',
                 planarconfig='contig', **t)
tifffile.imwrite('striped.tif', np.zeros((100, 90, 3), 'u1'), photometric='rgb')
)",
                           {folder}, output) == 0,
                 qPrintable(output));
        const std::pair<const char*, bool> kinds[] = {{"rgb8.tif", true},   {"rgba8.tif", true},
                                                      {"gray8.tif", false}, {"gray16.tif", false},
                                                      {"rgb16.tif", false}, {"float.tif", false},
                                                      {"five.tif", false},  {"striped.tif", false}};
        for (const auto& [name, expected] : kinds) {
            const std::string path = QDir(folder).filePath(name).toStdString();
            QVERIFY2(OpenSlideSource::canOpen(path) == expected, name);
        }
    }

    void unopenableFileNamesTheFileAndTheReason() {
        REQUIRE_TESTDATA(file, "openslide-python/unopenable.tiff");
        try {
            const OpenSlideSource source(file.toStdString());
            QFAIL("opened a file with an unsupported compression");
        } catch (const IoError& e) {
            const QString message = e.what();
            QVERIFY2(message.startsWith(file + ": "), e.what());
            QVERIFY2(message.contains("Unsupported TIFF compression"), e.what());
        }
    }

    void missingAndForeignFilesAreRefused() {
        const std::string missing = QDir(dir_.path()).filePath("nothing.svs").toStdString();
        try {
            const OpenSlideSource source(missing);
            QFAIL("opened a missing file");
        } catch (const IoError& e) {
            QCOMPARE(std::string(e.what()), missing + ": no such file");
        }
        REQUIRE_TESTDATA(png, "openslide-python/boxes.png");
        try {
            const OpenSlideSource source(png.toStdString());
            QFAIL("opened a PNG");
        } catch (const IoError& e) {
            QVERIFY2(QString(e.what()).startsWith(png + ": not a slide"), e.what());
        }
    }

    void corruptTileFailsEveryLaterRead() {
        // unreadable.svs opens, but its JPEG tile and thumbnail are corrupt. The error is sticky:
        // every read after the first failure fails too, and no cleared pixels come back.
        REQUIRE_TESTDATA(file, "openslide-python/unreadable.svs");
        std::unique_ptr<OpenSlideSource> source;
        try {
            source = std::make_unique<OpenSlideSource>(file.toStdString());
        } catch (const IoError& e) {
            QFAIL(qPrintable("OpenSlide 3.4.1 opens this file; it failed: " + QString(e.what())));
        }
        QCOMPARE(source->info().size, (Size{16, 16}));
        Image pixels(DType::U8, 3, 16, 16);
        QString first;
        try {
            source->read({0, 0, 16, 16}, pixels);
            QFAIL("read a corrupt tile without an error");
        } catch (const IoError& e) {
            first = e.what();
            QVERIFY2(first.startsWith(file + ": ") && first.size() > file.size() + 2, e.what());
        }
        Image one(DType::U8, 3, 1, 1);
        try {
            source->read({15, 15, 1, 1}, one);
            QFAIL("the error was not sticky");
        } catch (const IoError& e) {
            QCOMPARE(QString(e.what()), first);
        }
        QVERIFY_THROWS_EXCEPTION(IoError, source->readAssociated("thumbnail"));
    }

    void libtiffErrorsReachTheException() {
        // A generic TIFF whose sixth deflate tile is zeroed: libtiff's complaint, which OpenSlide
        // 3.4.1 would let libtiff print, ends up in the IoError; the error is sticky across
        // threads with the same message.
        TILEFLOW_REQUIRE_PYTHON("numpy, tifffile");
        const QString file = QDir(dir_.path()).filePath("corrupt.tif");
        QString output;
        QVERIFY2(runPython(R"(
import sys
import numpy as np, tifffile
d = np.random.default_rng(1).integers(0, 256, (256, 256, 3), dtype=np.uint8)
tifffile.imwrite(sys.argv[1], d, tile=(64, 64), photometric='rgb', compression='zlib')
with tifffile.TiffFile(sys.argv[1]) as t:
    offset, count = t.pages[0].dataoffsets[5], t.pages[0].databytecounts[5]
with open(sys.argv[1], 'r+b') as f:
    f.seek(offset)
    f.write(bytes(count))
)",
                           {file}, output) == 0,
                 qPrintable(output));
        const OpenSlideSource source(file.toStdString());
        Image good(DType::U8, 3, 64, 64);
        source.read({0, 0, 64, 64}, good);  // tile 0 is intact
        Image all(DType::U8, 3, 256, 256);
        QString first;
        try {
            source.read({0, 0, 256, 256}, all);
            QFAIL("read a corrupt tile without an error");
        } catch (const IoError& e) {
            first = e.what();
            QVERIFY2(first.startsWith(file + ": "), e.what());
            QVERIFY2(first.contains("(libtiff: ZIPDecode"), e.what());
        }
        QString second;
        std::thread([&] {
            try {
                source.read({0, 0, 64, 64}, good);
            } catch (const IoError& e) {
                second = e.what();
            }
        }).join();
        QCOMPARE(second, first);
    }

    void misuseIsRefused() {
        REQUIRE_TESTDATA(file, "openslide-python/boxes.tiff");
        const OpenSlideSource source(file.toStdString());
        Image image(DType::U8, 3, 10, 10);
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, source.readLevel(4, {0, 0, 10, 10}, image));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, source.readLevel(-1, {0, 0, 10, 10}, image));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, source.readLevel(1, {145, 0, 10, 10}, image));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, source.read({-1, 0, 10, 10}, image));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, source.read({0, 0, 10, 9}, image));
        Image u16(DType::U16, 3, 10, 10);
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, source.read({0, 0, 10, 10}, u16));
        try {
            source.readAssociated("label");
            QFAIL("read an associated image the slide does not have");
        } catch (const InvalidArgument& e) {
            QVERIFY2(QString(e.what()).contains("'label'"), e.what());
        }
        Image empty(DType::U8, 3, 0, 0);
        source.read({300, 250, 0, 0}, empty);  // an empty region at the corner is fine
    }

    void concurrentReadsMatchOneRead() {
        REQUIRE_TESTDATA(file, "libvips/CMU-1-Small-Region.svs");
        const OpenSlideSource source(file.toStdString());
        const Image whole = readRegion(source, 0, rectOf(source.info().size));
        // Four threads read odd-sized tiles that straddle JPEG tiles and read pieces.
        std::atomic<int> mismatches{0};
        std::atomic<int> failures{0};
        std::vector<std::thread> threads;
        threads.reserve(4);
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&, t] {
                try {
                    int index = 0;
                    for (std::int64_t y = 0; y < 2967; y += 301) {
                        for (std::int64_t x = 0; x < 2220; x += 257, ++index) {
                            if (index % 4 != t)
                                continue;
                            const Rect r =
                                Rect{x, y, 257, 301}.intersected(rectOf(source.info().size));
                            if (!samePixels(whole.view().region(r), readRegion(source, 0, r)))
                                ++mismatches;
                        }
                    }
                } catch (const Error&) {
                    ++failures;
                }
            });
        }
        for (std::thread& t : threads)
            t.join();
        QCOMPARE(failures.load(), 0);
        QCOMPARE(mismatches.load(), 0);
        QVERIFY(samePixels(whole, readImage(source, 4)));
    }
};

QTEST_GUILESS_MAIN(TestOpenSlideSource)
#include "test_openslide_source.moc"
