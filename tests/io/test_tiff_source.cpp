// TiffSource against TIFF files written by independent tools at test time: tifffile and
// numpy through /usr/bin/python3, and tiffcp/tiffset from libtiff-tools. Expected pixels
// come from numpy (.npy, read with readNpy), never from our own writer.
#include <QtTest>
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "python_oracle.hpp"
#include "test_images.hpp"
#include "tileflow/error.hpp"
#include "tileflow/npy.hpp"
#include "tileflow/tiff_source.hpp"

using namespace tileflow;
using tileflow::testing::sampleAt;

namespace {

// Builds the fixtures: every file NAME.tif comes with NAME.npy holding the expected (C, Y, X)
// pixels of level 0, and NAME.L<k>.npy for reduced levels.
const char* const kFixtureScript = R"(
import numpy as np, tifffile, os, sys
os.chdir(sys.argv[1])
rng = np.random.default_rng(7)

def save(name, a):
    a = np.ascontiguousarray(a)
    np.save(name + '.npy', a if a.ndim == 3 else a[np.newaxis])

def noise(dt, shape):
    if dt == 'f4':
        return (rng.random(shape) * 1000 - 500).astype('f4')
    info = np.iinfo(dt)
    return rng.integers(info.min, info.max, size=shape, endpoint=True).astype(dt)

for dt in ['u1', 'i1', 'u2', 'i2', 'u4', 'f4']:
    a = noise(dt, (3, 100, 130))
    for name in ['tiled_contig', 'tiled_separate', 'strip_contig', 'strip_separate']:
        save('%s_%s' % (name, dt), a)
    yxs = np.moveaxis(a, 0, -1)
    tifffile.imwrite('tiled_contig_%s.tif' % dt, yxs, tile=(32, 48), photometric='minisblack',
                     planarconfig='contig', compression='zlib', metadata=None)
    tifffile.imwrite('tiled_separate_%s.tif' % dt, a, tile=(32, 48), photometric='minisblack',
                     planarconfig='separate', metadata=None)
    tifffile.imwrite('strip_contig_%s.tif' % dt, yxs, rowsperstrip=7, photometric='minisblack',
                     planarconfig='contig', metadata=None)
    tifffile.imwrite('strip_separate_%s.tif' % dt, a, rowsperstrip=9, photometric='minisblack',
                     planarconfig='separate', compression='zlib', metadata=None)

# Multi-page: three pages of one sample each are three channels.
pages = noise('u2', (3, 70, 90))
save('pages_u2', pages)
tifffile.imwrite('pages_u2.tif', pages, photometric='minisblack', metadata=None)

# RGB, for tiffcp's JPEG (lossy: compared with a tolerance).
rgb = np.zeros((120, 160, 3), 'u1')
yy, xx = np.mgrid[0:120, 0:160]
rgb[..., 0] = xx * 255 // 159
rgb[..., 1] = yy * 255 // 119
rgb[..., 2] = 128
save('rgb_u1', np.moveaxis(rgb, -1, 0))
tifffile.imwrite('rgb_u1.tif', rgb, photometric='rgb', metadata=None)

# Pyramid in SubIFDs (two samples per pixel, contiguous).
base = noise('u2', (128, 160, 2))
with tifffile.TiffWriter('subifd_u2.tif') as tif:
    tif.write(base, tile=(32, 32), subifds=2, photometric='minisblack', planarconfig='contig',
              compression='zlib', metadata=None)
    tif.write(base[::2, ::2], tile=(32, 32), subfiletype=1, photometric='minisblack',
              planarconfig='contig', compression='zlib', metadata=None)
    tif.write(base[::4, ::4], tile=(16, 16), subfiletype=1, photometric='minisblack',
              planarconfig='contig', metadata=None)
save('subifd_u2', np.moveaxis(base, -1, 0))
save('subifd_u2.L1', np.moveaxis(base[::2, ::2], -1, 0))
save('subifd_u2.L2', np.moveaxis(base[::4, ::4], -1, 0))

# Pyramid as reduced-resolution top-level pages.
gray = noise('u1', (130, 150))
with tifffile.TiffWriter('reduced_u1.tif') as tif:
    tif.write(gray, tile=(32, 32), photometric='minisblack', metadata=None)
    tif.write(gray[::2, ::2], tile=(16, 16), subfiletype=1, photometric='minisblack',
              metadata=None)
    tif.write(gray[::4, ::4], tile=(16, 16), subfiletype=1, photometric='minisblack',
              metadata=None)
save('reduced_u1', gray)
save('reduced_u1.L1', gray[::2, ::2])
save('reduced_u1.L2', gray[::4, ::4])

# OME-TIFF: channel names and pixel size; C planes of the first Z; a SubIFD pyramid.
ome = noise('u2', (3, 90, 110))
tifffile.imwrite('ome_cyx.ome.tif', ome, ome=True, tile=(32, 32), photometric='minisblack',
                 metadata={'axes': 'CYX', 'Channel': {'Name': ['DAPI', 'GFP', 'Cy5']},
                           'PhysicalSizeX': 0.5, 'PhysicalSizeXUnit': '\u00b5m'})
save('ome_cyx', ome)
zc = noise('f4', (2, 3, 40, 50))
tifffile.imwrite('ome_zcyx.ome.tif', zc, ome=True, photometric='minisblack',
                 metadata={'axes': 'ZCYX', 'Channel': {'Name': ['a', 'b', 'c']},
                           'PhysicalSizeX': 250, 'PhysicalSizeXUnit': 'nm'})
save('ome_zcyx', zc[0])
pyr = noise('u1', (2, 64, 96))
with tifffile.TiffWriter('ome_pyramid.ome.tif', ome=True) as tif:
    tif.write(pyr, tile=(32, 32), subifds=1, photometric='minisblack',
              metadata={'axes': 'CYX'})
    tif.write(pyr[:, ::2, ::2], tile=(16, 16), subfiletype=1, photometric='minisblack')
save('ome_pyramid', pyr)
save('ome_pyramid.L1', pyr[:, ::2, ::2])

# Uncompressed, one strip per page and sample (tifffile's default), read in bands of rows.
rgb_big = noise('u1', (2000, 3000, 3))
tifffile.imwrite('onestrip_rgb_u1.tif', rgb_big, photometric='rgb', metadata=None)
save('onestrip_rgb_u1', np.moveaxis(rgb_big, -1, 0))
big_endian = noise('u2', (1500, 2000))
tifffile.imwrite('onestrip_be_u2.tif', big_endian, byteorder='>', photometric='minisblack',
                 metadata=None)
save('onestrip_be_u2', big_endian)
pages_f4 = noise('f4', (2, 2, 1500, 1000))  # two pages of two separate samples
tifffile.imwrite('onestrip_separate_f4.tif', pages_f4, photometric='minisblack',
                 planarconfig='separate', metadata=None)
save('onestrip_separate_f4', pages_f4.reshape(4, 1500, 1000))
cut = noise('u2', (2, 1500, 3000))
tifffile.imwrite('onestrip_cut.tif', cut, photometric='minisblack', planarconfig='separate',
                 metadata=None)
save('onestrip_cut', cut)
for name, strips in [('onestrip_rgb_u1', 1), ('onestrip_be_u2', 1), ('onestrip_separate_f4', 2),
                     ('onestrip_cut', 2)]:
    with tifffile.TiffFile(name + '.tif') as tif:
        assert all(len(p.dataoffsets) == strips and p.compression == 1 for p in tif.pages)
with tifffile.TiffFile('onestrip_cut.tif') as tif:
    assert tif.pages[0].dataoffsets[1] + 9000000 == os.path.getsize('onestrip_cut.tif')
os.truncate('onestrip_cut.tif', os.path.getsize('onestrip_cut.tif') - 4500000)

# Hostile files.
raw = noise('u1', (64, 64))
tifffile.imwrite('broken_tile.tif', raw, tile=(16, 16), compression='zlib', metadata=None)
with tifffile.TiffFile('broken_tile.tif') as tif:
    offset = tif.pages[0].dataoffsets[5]
with open('broken_tile.tif', 'r+b') as f:
    f.seek(offset + 2)
    f.write(b'\xff' * 40)
tifffile.imwrite('loop.tif', raw, metadata=None)
with tifffile.TiffFile('loop.tif') as tif:
    page = tif.pages[0]
    next_pointer = page.offset + 2 + 12 * len(page.tags)
    ifd = page.offset
with open('loop.tif', 'r+b') as f:
    f.seek(next_pointer)
    f.write(int(ifd).to_bytes(4, 'little'))
tifffile.imwrite('cut.tif', noise('u2', (256, 256)), tile=(64, 64), metadata=None)
size = os.path.getsize('cut.tif')
with open('cut.tif', 'r+b') as f:
    f.truncate(size // 2)
tifffile.imwrite('absurd.tif', raw, rowsperstrip=64, metadata=None)
tifffile.imwrite('absurd_tiled.tif', raw[:32, :32], tile=(16, 16), metadata=None)
with tifffile.TiffFile('absurd_tiled.tif') as tif:
    tags = tif.pages[0].tags
    spots = [(tags[name].valueoffset, tags[name].dtype, value) for name, value in
             [('ImageWidth', 1 << 21), ('ImageLength', 1 << 21), ('TileWidth', 1 << 20),
              ('TileLength', 1 << 20)]]
with open('absurd_tiled.tif', 'r+b') as f:
    for spot, dtype, value in spots:
        f.seek(spot)
        f.write(value.to_bytes(4 if dtype == 4 else 2, 'little'))
tifffile.imwrite('f64.tif', np.zeros((8, 8), 'f8'), metadata=None)
with open('not_a_tiff.tif', 'wb') as f:
    f.write(b'this is not a TIFF file at all, just some text' * 4)
)";

// Runs a program; returns its exit code and fills `output` with stdout + stderr.
int run(const QString& program, const QStringList& args, QString& output) {
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    if (!p.waitForFinished(120000))
        return -1;
    output = QString::fromUtf8(p.readAll());
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

Image readAll(const Source& source, int level = 0) {
    const SourceMetadata meta = source.metadata();
    const ImageInfo info{meta.levels.at(static_cast<std::size_t>(level)).size,
                         source.info().channels, source.info().dtype};
    Image image(info);
    source.readLevel(level, rectOf(info.size), image.view());
    return image;
}

double meanAbsDifference(ConstImageView a, ConstImageView b) {
    double sum = 0;
    for (int c = 0; c < a.channels(); ++c) {
        for (std::int64_t y = 0; y < a.height(); ++y) {
            for (std::int64_t x = 0; x < a.width(); ++x) {
                sum += std::abs(sampleAt(a, c, x, y) - sampleAt(b, c, x, y));
            }
        }
    }
    return sum / static_cast<double>(a.channels() * a.width() * a.height());
}

}  // namespace

class TestTiffSource : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    bool fixtures_ = false;

    std::string path(const QString& name) const {
        return QDir(dir_.path()).filePath(name).toStdString();
    }

    void requireFixtures() {
        TILEFLOW_REQUIRE_PYTHON("numpy, tifffile");
        QVERIFY2(fixtures_, "the fixture script failed (see initTestCase)");
    }

    // Compares the whole image and a region crossing tile boundaries with the .npy oracle.
    void expectPixels(const QString& tif, const QString& npy, int level = 0) {
        const TiffSource source(path(tif));
        const Image expected = readNpy(path(npy));
        const Image all = readAll(source, level);
        QCOMPARE(all.info(), expected.info());
        QVERIFY2(samePixels(all, expected), qPrintable(tif));
        const Rect region =
            Rect{17, 29, 61, 45}.intersected(rectOf(expected.size()));  // crosses tiles
        Image part(ImageInfo{region.size(), expected.channels(), expected.dtype()});
        source.readLevel(level, region, part.view());
        QVERIFY2(samePixels(part, expected.view().region(region)), qPrintable(tif));
    }

    // Expects opening (and reading) `name` to throw IoError naming the file and `fragment`.
    void expectRefused(const QString& name, const QString& fragment = {}) {
        const std::string file = path(name);
        try {
            const TiffSource source(file);
            (void)readAll(source);
            QFAIL(qPrintable("accepted " + name));
        } catch (const IoError& e) {
            const QString message = QString::fromUtf8(e.what());
            QVERIFY2(message.startsWith(QString::fromStdString(file) + ": "), qPrintable(message));
            QVERIFY2(message.contains(fragment, Qt::CaseInsensitive), qPrintable(message));
        }
    }

    // The RGB pixels of `file` as tiff2rgba (libtiff-tools) decodes them, read by tifffile.
    Image rgbaOracle(const std::string& file) {
        const QString name = QFileInfo(QString::fromStdString(file)).fileName();
        const QString rgba = QString::fromStdString(path(name + ".rgba.tif"));
        const QString npy = QString::fromStdString(path(name + ".rgba.npy"));
        QString output;
        if (run("tiff2rgba", {"-c", "none", QString::fromStdString(file), rgba}, output) != 0)
            throw std::runtime_error("tiff2rgba failed: " + output.toStdString());
        if (run(tileflow::testing::kPython,
                {"-c",
                 "import numpy as np, tifffile, sys\n"
                 "a = tifffile.imread(sys.argv[1])\n"
                 "np.save(sys.argv[2], np.ascontiguousarray(np.moveaxis(a[..., :3], -1, 0)))\n",
                 rgba, npy},
                output) != 0) {
            throw std::runtime_error("tifffile failed: " + output.toStdString());
        }
        return readNpy(npy.toStdString());
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        if (!tileflow::testing::pythonHas("numpy, tifffile"))
            return;
        QString output;
        const int code =
            run(tileflow::testing::kPython, {"-c", kFixtureScript, dir_.path()}, output);
        QVERIFY2(code == 0, qPrintable(output));
        fixtures_ = true;
    }

    void layoutsAndDTypes_data() {
        QTest::addColumn<QString>("name");
        for (const char* dt : {"u1", "i1", "u2", "i2", "u4", "f4"}) {
            for (const char* layout :
                 {"tiled_contig", "tiled_separate", "strip_contig", "strip_separate"}) {
                const QString name = QString("%1_%2").arg(layout, dt);
                QTest::newRow(qPrintable(name)) << name;
            }
        }
    }
    void layoutsAndDTypes() {
        requireFixtures();
        QFETCH(QString, name);
        expectPixels(name + ".tif", name + ".npy");
        const TiffSource source(path(name + ".tif"));
        const SourceMetadata meta = source.metadata();
        QCOMPARE(meta.format, std::string("tiff"));
        QCOMPARE(meta.levels.size(), std::size_t{1});
        QCOMPARE(source.info().channels, 3);
        QCOMPARE(meta.channelNames, (std::vector<std::string>{"C0", "C1", "C2"}));
        const auto has = [&](const char* key, const std::string& value) {
            return std::find(meta.properties.begin(), meta.properties.end(),
                             std::pair<std::string, std::string>(key, value)) !=
                   meta.properties.end();
        };
        QVERIFY(has("tiff.Software", "tifffile.py"));
        const bool zlib = name.startsWith("tiled_contig") || name.startsWith("strip_separate");
        QVERIFY(has("tiff.Compression", zlib ? "AdobeDeflate" : "None"));
        QVERIFY(
            has("tiff.PlanarConfiguration", name.contains("separate") ? "separate" : "contiguous"));
    }

    // tiffcp (libtiff-tools) re-encodes: tiled <-> stripped, LZW/Deflate/zstd with predictors.
    void tiffcpConversions_data() {
        QTest::addColumn<QString>("source");
        QTest::addColumn<QStringList>("options");
        const QStringList tiled{"-t", "-w", "32", "-l", "48"};
        const QStringList stripped{"-s", "-r", "11"};
        QTest::newRow("u2 stripped->tiled lzw:2")
            << "strip_contig_u2" << tiled + QStringList{"-c", "lzw:2"};
        QTest::newRow("i2 tiled->stripped zip:2")
            << "tiled_contig_i2" << stripped + QStringList{"-c", "zip:2"};
        QTest::newRow("u1 separate zstd:2")
            << "tiled_separate_u1" << tiled + QStringList{"-c", "zstd:2"};
        QTest::newRow("f4 tiled zip:3") << "strip_contig_f4" << tiled + QStringList{"-c", "zip:3"};
        QTest::newRow("f4 stripped lzw:3")
            << "tiled_contig_f4" << stripped + QStringList{"-c", "lzw:3"};
        QTest::newRow("u4 tiled zstd") << "strip_contig_u4" << tiled + QStringList{"-c", "zstd"};
        QTest::newRow("u2 pages lzw") << "pages_u2" << stripped + QStringList{"-c", "lzw"};
    }
    void tiffcpConversions() {
        requireFixtures();
        QFETCH(QString, source);
        QFETCH(QStringList, options);
        const QString out =
            QString(QTest::currentDataTag()).replace(QRegularExpression("[^A-Za-z0-9]"), "_") +
            ".tif";
        QString output;
        QVERIFY2(run("tiffcp",
                     options + QStringList{QString::fromStdString(path(source + ".tif")),
                                           QString::fromStdString(path(out))},
                     output) == 0,
                 qPrintable(output));
        expectPixels(out, source + ".npy");
    }

    void jpegFromTiffcp() {
        requireFixtures();
        QString output;
        for (const char* mode : {"jpeg:90", "jpeg:r:90"}) {  // YCbCr (converted by libtiff), RGB
            const QString out = QString("rgb_%1.tif").arg(QString(mode).remove(':'));
            QVERIFY2(
                run("tiffcp",
                    {"-t", "-w", "64", "-l", "64", "-c", mode,
                     QString::fromStdString(path("rgb_u1.tif")), QString::fromStdString(path(out))},
                    output) == 0,
                qPrintable(output));
            const TiffSource source(path(out));
            QCOMPARE(source.metadata().channelNames, (std::vector<std::string>{"R", "G", "B"}));
            const Image all = readAll(source);
            // The decoded pixels are libtiff's (as tiff2rgba decodes them) and close to the
            // original; JPEG is lossy, most at the image border where tiles are padded.
            QVERIFY(samePixels(all, rgbaOracle(path(out))));
            const Image expected = readNpy(path("rgb_u1.npy"));
            QVERIFY2(meanAbsDifference(all, expected) < 2, mode);
        }
    }

    void multiPageAsChannels() {
        requireFixtures();
        expectPixels("pages_u2.tif", "pages_u2.npy");
        const TiffSource source(path("pages_u2.tif"));
        QCOMPARE(source.info(), (ImageInfo{{90, 70}, 3, DType::U16}));
    }

    void subIfdPyramid() {
        requireFixtures();
        const TiffSource source(path("subifd_u2.tif"));
        const SourceMetadata meta = source.metadata();
        QCOMPARE(meta.levels.size(), std::size_t{3});
        QCOMPARE(meta.levels[1].size, (Size{80, 64}));
        QCOMPARE(meta.levels[2].size, (Size{40, 32}));
        QCOMPARE(meta.levels[1].downsample, 2.0);
        QCOMPARE(meta.levels[2].downsample, 4.0);
        expectPixels("subifd_u2.tif", "subifd_u2.npy");
        expectPixels("subifd_u2.tif", "subifd_u2.L1.npy", 1);
        expectPixels("subifd_u2.tif", "subifd_u2.L2.npy", 2);
        Image one(ImageInfo{{1, 1}, 2, DType::U16});
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, source.readLevel(3, {0, 0, 1, 1}, one.view()));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, source.readLevel(1, {80, 0, 1, 1}, one.view()));
    }

    void reducedPagePyramid() {
        requireFixtures();
        const TiffSource source(path("reduced_u1.tif"));
        const SourceMetadata meta = source.metadata();
        QCOMPARE(meta.levels.size(), std::size_t{3});
        QCOMPARE(meta.levels[1].size, (Size{75, 65}));
        QCOMPARE(source.info().channels, 1);  // reduced pages are levels, not channels
        expectPixels("reduced_u1.tif", "reduced_u1.npy");
        expectPixels("reduced_u1.tif", "reduced_u1.L1.npy", 1);
        expectPixels("reduced_u1.tif", "reduced_u1.L2.npy", 2);
    }

    void omeTiff() {
        requireFixtures();
        {
            const TiffSource source(path("ome_cyx.ome.tif"));
            const SourceMetadata meta = source.metadata();
            QCOMPARE(meta.format, std::string("ome-tiff"));
            QCOMPARE(meta.channelNames, (std::vector<std::string>{"DAPI", "GFP", "Cy5"}));
            QVERIFY(meta.micronsPerPixel.has_value());
            QCOMPARE(*meta.micronsPerPixel, 0.5);
            expectPixels("ome_cyx.ome.tif", "ome_cyx.npy");
        }
        {
            // Z=2 x C=3: the channels are the C planes of Z=0; PhysicalSizeX 250 nm.
            const TiffSource source(path("ome_zcyx.ome.tif"));
            const SourceMetadata meta = source.metadata();
            QCOMPARE(source.info(), (ImageInfo{{50, 40}, 3, DType::F32}));
            QCOMPARE(meta.channelNames, (std::vector<std::string>{"a", "b", "c"}));
            QVERIFY(meta.micronsPerPixel.has_value());
            QVERIFY(std::abs(*meta.micronsPerPixel - 0.25) < 1e-12);
            expectPixels("ome_zcyx.ome.tif", "ome_zcyx.npy");
        }
        {
            const TiffSource source(path("ome_pyramid.ome.tif"));
            QCOMPARE(source.metadata().levels.size(), std::size_t{2});
            QCOMPARE(source.info().channels, 2);
            expectPixels("ome_pyramid.ome.tif", "ome_pyramid.npy");
            expectPixels("ome_pyramid.ome.tif", "ome_pyramid.L1.npy", 1);
        }
    }

    void concurrentReads_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QStringList>("tiffcp");  // converts name.tif first when not empty
        QTest::newRow("tiled deflate") << "tiled_contig_u2" << QStringList{};
        QTest::newRow("three pages") << "pages_u2" << QStringList{};  // directories switch
        QTest::newRow("separate strips") << "strip_separate_u2" << QStringList{};
        QTest::newRow("jpeg ycbcr tiles")
            << "rgb_u1" << QStringList{"-t", "-w", "64", "-l", "64", "-c", "jpeg:90"};
        QTest::newRow("jpeg ycbcr strips")
            << "rgb_u1" << QStringList{"-s", "-r", "16", "-c", "jpeg:90"};
        QTest::newRow("old-style jpeg") << "ojpeg-tile" << QStringList{};
        QTest::newRow("subsampled ycbcr") << "subsampled" << QStringList{};
    }
    void concurrentReads() {
        requireFixtures();
        QFETCH(QString, name);
        QFETCH(QStringList, tiffcp);
        std::string file = path(name + ".tif");
        if (name == "ojpeg-tile" || name == "subsampled") {
            const QString folder = qEnvironmentVariable("TILEFLOW_TESTDATA") + "/libvips";
            if (!QFileInfo::exists(folder + "/" + name + ".tif"))
                QSKIP("TILEFLOW_TESTDATA does not point to the shared test data");
            file = (folder + "/" + name + ".tif").toStdString();
        }
        if (!tiffcp.isEmpty()) {
            const std::string converted =
                path(QString(QTest::currentDataTag()).replace(' ', '_') + ".tif");
            QString output;
            QVERIFY2(run("tiffcp",
                         tiffcp + QStringList{QString::fromStdString(file),
                                              QString::fromStdString(converted)},
                         output) == 0,
                     qPrintable(output));
            file = converted;
        }
        // The reference is a single-threaded read (checked against numpy by the tests above).
        const Image expected = readAll(TiffSource(file));
        const ImageInfo info = expected.info();
        // No cache: every read decodes its tiles again, on handles fresh from the pool or
        // reused after another directory or tile.
        const TiffSource source(file, 0);
        std::atomic<int> mismatches{0};
        std::atomic<int> failures{0};
        std::vector<std::thread> threads;
        threads.reserve(4);
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < 40; ++i) {
                    const Rect r = Rect{(t * 13 + i * 7) % info.size.width,
                                        (t * 5 + i * 11) % info.size.height, 37, 29}
                                       .intersected(rectOf(info.size));
                    Image part(ImageInfo{r.size(), info.channels, info.dtype});
                    try {
                        source.read(r, part.view());
                        if (!samePixels(part, expected.view().region(r)))
                            ++mismatches;
                    } catch (const Error&) {
                        ++failures;
                    }
                }
            });
        }
        for (std::thread& t : threads)
            t.join();
        QCOMPARE(failures.load(), 0);
        QCOMPARE(mismatches.load(), 0);
    }

    // Uncompressed strips are read a band of rows at a time, straight from the file.
    void uncompressedSingleStrips_data() {
        QTest::addColumn<QString>("name");
        QTest::newRow("rgb u1 contig") << "onestrip_rgb_u1";
        QTest::newRow("u2 big-endian") << "onestrip_be_u2";
        QTest::newRow("f4 pages separate") << "onestrip_separate_f4";
    }
    void uncompressedSingleStrips() {
        requireFixtures();
        QFETCH(QString, name);
        expectPixels(name + ".tif", name + ".npy");
        const Image expected = readNpy(path(name + ".npy"));
        const TiffSource source(path(name + ".tif"), 0);
        const Rect region = Rect{100, 400, 700, 800}.intersected(rectOf(expected.size()));
        Image part(ImageInfo{region.size(), expected.channels(), expected.dtype()});
        source.read(region, part.view());  // crosses bands
        QVERIFY(samePixels(part, expected.view().region(region)));
    }

    // The strip of the second sample (9 MB, the end of the file) cut in half: its rows still
    // there read, as only the rows a region needs are read; the others are an error naming the
    // file.
    void truncatedUncompressedStrip() {
        requireFixtures();
        const std::string cut = path("onestrip_cut.tif");
        const TiffSource source(cut);
        const Image expected = readNpy(path("onestrip_cut.npy"));
        const Rect top{0, 0, 3000, 200};
        Image part(ImageInfo{top.size(), 2, DType::U16});
        source.read(top, part.view());
        QVERIFY(samePixels(part, expected.view().region(top)));
        const Rect bottom{0, 1400, 3000, 100};
        Image rest(ImageInfo{bottom.size(), 2, DType::U16});
        try {
            source.read(bottom, rest.view());
            QFAIL("read rows past the end of the file");
        } catch (const IoError& e) {
            const QString message = QString::fromUtf8(e.what());
            QVERIFY2(message.startsWith(QString::fromStdString(cut) + ": "), qPrintable(message));
            QVERIFY2(message.contains("past the end of the file"), qPrintable(message));
        }
    }

    void realFiles() {
        const QString root = qEnvironmentVariable("TILEFLOW_TESTDATA");
        const QString folder = root + "/libvips";
        if (root.isEmpty() || !QFileInfo::exists(folder + "/multi-channel-z-series.ome.tif"))
            QSKIP("TILEFLOW_TESTDATA does not point to the shared test data");
        {
            // 15 pages: C=3 x Z=5, DimensionOrder XYZCT, signed 8-bit, stripped, big-endian.
            const TiffSource source((folder + "/multi-channel-z-series.ome.tif").toStdString());
            const SourceMetadata meta = source.metadata();
            QCOMPARE(meta.format, std::string("ome-tiff"));
            QCOMPARE(source.info(), (ImageInfo{{439, 167}, 3, DType::I8}));
            QCOMPARE(meta.channelNames, (std::vector<std::string>{"C0", "C1", "C2"}));
            const Image all = readAll(source);
            TILEFLOW_REQUIRE_PYTHON("numpy, tifffile");
            // Channel c is page c * SizeZ (the first Z plane of C plane c), per tifffile.
            QString output;
            const std::string npy = path("zseries.npy");
            QVERIFY2(run(tileflow::testing::kPython,
                         {"-c",
                          "import numpy as np, tifffile, sys\n"
                          "with tifffile.TiffFile(sys.argv[1]) as t:\n"
                          "    np.save(sys.argv[2], np.stack([t.pages[i].asarray() for i in (0, 5, "
                          "10)]))\n",
                          folder + "/multi-channel-z-series.ome.tif", QString::fromStdString(npy)},
                         output) == 0,
                     qPrintable(output));
            QVERIFY(samePixels(all, readNpy(npy)));
        }
        // Old-style JPEG and subsampled YCbCr go through libtiff's RGBA interface.
        for (const char* name : {"ojpeg-tile.tif", "subsampled.tif"}) {
            const std::string file = (folder + "/" + name).toStdString();
            const TiffSource source(file);
            QCOMPARE(source.info().channels, 3);
            QCOMPARE(source.info().dtype, DType::U8);
            QVERIFY2(samePixels(readAll(source), rgbaOracle(file)), name);
        }

        // OpenSlide's test fixtures: a reduced-page pyramid, and two files that must fail.
        const QString openslide = root + "/openslide-python";
        if (!QFileInfo::exists(openslide + "/boxes.tiff"))
            return;
        const std::string boxes = (openslide + "/boxes.tiff").toStdString();
        const TiffSource source(boxes);
        const SourceMetadata meta = source.metadata();
        QCOMPARE(meta.levels.size(), std::size_t{4});
        QCOMPARE(meta.levels[3].size, (Size{37, 31}));
        const std::string npy = path("boxes.L1.npy");
        QString output;
        QVERIFY2(run(tileflow::testing::kPython,
                     {"-c",
                      "import numpy as np, tifffile, sys\n"
                      "a = tifffile.imread(sys.argv[1], key=1)\n"
                      "np.save(sys.argv[2], np.ascontiguousarray(np.moveaxis(a, -1, 0)))\n",
                      QString::fromStdString(boxes), QString::fromStdString(npy)},
                     output) == 0,
                 qPrintable(output));
        QVERIFY(samePixels(readAll(source, 1), readNpy(npy)));
        for (const char* name : {"unopenable.tiff", "unreadable.svs"}) {
            const std::string file = (openslide + "/" + name).toStdString();
            try {
                const TiffSource bad(file);
                (void)readAll(bad);
                QFAIL(name);
            } catch (const IoError& e) {
                QVERIFY2(QString(e.what()).startsWith(QString::fromStdString(file) + ": "),
                         e.what());
            }
        }
    }

    void errors() {
        expectRefused("does-not-exist.tif", "No such file");
        requireFixtures();
        expectRefused("not_a_tiff.tif");
        expectRefused("cut.tif");           // tile offsets past the end of the file
        expectRefused("broken_tile.tif");   // a corrupt deflate stream
        expectRefused("loop.tif", "loop");  // IFD pointing to itself
        expectRefused("f64.tif", "64-bit floating-point samples");

        // Truncated in the middle of the first directory.
        QFile::copy(QString::fromStdString(path("tiled_contig_u1.tif")),
                    QString::fromStdString(path("truncated.tif")));
        QVERIFY(QFile::resize(QString::fromStdString(path("truncated.tif")), 20));
        expectRefused("truncated.tif");

        // One strip (RowsPerStrip 2^32-1) and ImageWidth, ImageLength 4e9 set by tiffset.
        QString output;
        for (const auto& [tag, value] :
             {std::pair{"278", "4294967295"}, {"256", "4000000000"}, {"257", "4000000000"}}) {
            QVERIFY2(run("tiffset", {"-s", tag, value, QString::fromStdString(path("absurd.tif"))},
                         output) == 0,
                     qPrintable(output));
        }
        expectRefused("absurd.tif");
        // 2^21 x 2^21 pixels in 2^20 x 2^20 tiles, written into the tags directly.
        expectRefused("absurd_tiled.tif", "limit of 1099511627776 pixels");
    }
};

QTEST_GUILESS_MAIN(TestTiffSource)
#include "test_tiff_source.moc"
