// The pyramidal BigTIFF sink: engine runs streamed into TiffSink, read back by independent
// readers (tifffile and OpenSlide through /usr/bin/python3, tiffcp for zstd which tifffile
// cannot decode without imagecodecs) and compared with the in-memory engine result; levels
// against a numpy 2x2 mean; atomic replace, abort and failures.
#include <QtTest>
#include <cmath>
#include <fstream>
#include <iterator>
#include <string>

#include "python_oracle.hpp"
#include "test_images.hpp"
#include "tileflow/engine.hpp"
#include "tileflow/error.hpp"
#include "tileflow/npy.hpp"
#include "tileflow/registry.hpp"
#include "tileflow/tiff_sink.hpp"

using namespace tileflow;
using tileflow::testing::randomImage;
using tileflow::testing::runPython;

namespace {

// Copies its input; with `failAt` set, throws for the tile whose core contains that pixel.
class PassThrough final : public Operation {
public:
    explicit PassThrough(std::optional<std::pair<std::int64_t, std::int64_t>> failAt = {})
        : failAt_(failAt) {}
    std::string_view id() const override { return "pass-through"; }
    int radius() const override { return 0; }
    ImageInfo outputInfo(const ImageInfo& input) const override { return input; }
    void process(ConstImageView in, const Rect& inRect, ImageView out, const Rect& outRect,
                 const StatisticsList&) const override {
        if (failAt_ && outRect.contains({failAt_->first, failAt_->second, 1, 1}))
            throw Error("deliberate failure");
        copyPixels(in.region(outRect.relativeTo(inRect)), out);
    }

private:
    std::optional<std::pair<std::int64_t, std::int64_t>> failAt_;
};

// A smooth u8 RGB picture (JPEG-friendly) with some texture.
Image smoothRgb(std::int64_t width, std::int64_t height) {
    Image image(DType::U8, 3, width, height);
    ImageView v = image.view();
    for (int c = 0; c < 3; ++c) {
        for (std::int64_t y = 0; y < height; ++y) {
            for (std::int64_t x = 0; x < width; ++x) {
                const double value = 128 + 90 * std::sin(static_cast<double>(x) / 17.0 + c) *
                                               std::cos(static_cast<double>(y) / 23.0 - c);
                v.row<std::uint8_t>(c, y)[x] = static_cast<std::uint8_t>(std::lround(value));
            }
        }
    }
    return image;
}

QStringList entriesOf(const QString& dir) {
    return QDir(dir).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot, QDir::Name);
}

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const TileFlow kFlow(EngineOptions{.tile = {64, 64}, .chunk = {96, 80}});

// numpy helpers shared by the scripts: the 2x2 mean the sink promises, and loading.
const char* const kPrelude = R"(
import sys, subprocess, numpy as np
def halve(a):
    c, h, w = a.shape
    p = np.pad(a, ((0, 0), (0, h % 2), (0, w % 2)), mode='edge')
    if a.dtype == np.float32:
        return (p[:, 0::2, 0::2] + p[:, 0::2, 1::2] + p[:, 1::2, 0::2] + p[:, 1::2, 1::2]) * np.float32(0.25)
    s = p.astype(np.int64)
    s = s[:, 0::2, 0::2] + s[:, 0::2, 1::2] + s[:, 1::2, 0::2] + s[:, 1::2, 1::2]
    return ((s + 2) // 4).astype(a.dtype)
def pyramid(a, n):
    out = [a]
    for _ in range(n - 1):
        out.append(halve(out[-1]))
    return out
def check(name, got, want, tol):
    assert got.shape == want.shape, (name, got.shape, want.shape)
    d = np.abs(got.astype(np.float64) - want.astype(np.float64))
    if tol == 0:
        assert np.array_equal(got, want), (name, 'max diff', d.max(), np.argwhere(d > 0)[:5])
    else:
        assert d.mean() <= tol[0] and d.max() <= tol[1], (name, d.mean(), d.max())
)";

}  // namespace

class TestTiffSink : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    QString path(const QString& name) const { return QDir(dir_.path()).filePath(name); }

    // Streams `image` through the engine into a TiffSink at `file`, checks the result against
    // the in-memory run, and saves that result as `expected` (.npy) for the Python oracle.
    void writeThroughEngine(const Image& image, const std::shared_ptr<const Operation>& op,
                            const QString& file, const QString& expected,
                            const TiffSinkOptions& options) {
        TileFlow flow = kFlow;
        flow.configure(op);
        const Image inMemory = flow.run(image.view());
        writeNpy(expected.toStdString(), inMemory);
        TiffSink sink(file.toStdString(), options);
        flow.run(MemorySource(image.view()), sink);
        QVERIFY(QFileInfo::exists(file));
        QCOMPARE(entriesOf(dir_.path()).filter(".tmp-").size(), 0);
    }

private slots:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void levelCountAndNames() {
        TiffSinkOptions options;
        options.tileSize = 64;
        QCOMPARE(tiffLevelCount({64, 1000}, options), 1);
        // Levels stop before one would be smaller than a tile: 301x203, 151x102 (76x51 not).
        QCOMPARE(tiffLevelCount({301, 203}, options), 2);
        QCOMPARE(tiffLevelCount({65, 65}, options), 1);
        QCOMPARE(tiffLevelCount({128, 128}, options), 2);
        QCOMPARE(tiffLevelCount({523, 397}, options), 3);
        options.levels = 5;
        QCOMPARE(tiffLevelCount({10, 10}, options), 5);
        for (auto c : {TiffCompression::None, TiffCompression::Deflate, TiffCompression::Zstd,
                       TiffCompression::Jpeg}) {
            QCOMPARE(parseTiffCompression(tiffCompressionName(c)), std::optional(c));
        }
        QVERIFY(!parseTiffCompression("lzw"));
    }

    void rgbReadByOpenSlide_data() {
        QTest::addColumn<int>("compression");
        for (auto c : {TiffCompression::None, TiffCompression::Deflate, TiffCompression::Zstd,
                       TiffCompression::Jpeg}) {
            QTest::addRow("%s", tiffCompressionName(c).data()) << static_cast<int>(c);
        }
    }
    void rgbReadByOpenSlide() {
        TILEFLOW_REQUIRE_PYTHON("openslide, numpy");
        QFETCH(int, compression);
        const auto codec = static_cast<TiffCompression>(compression);
        const Image image = smoothRgb(523, 397);
        TiffSinkOptions options;
        options.tileSize = 64;
        options.compression = codec;
        options.micronsPerPixel = 0.25;
        const QString name = QString("rgb-%1").arg(tiffCompressionName(codec).data());
        writeThroughEngine(image, std::make_shared<PassThrough>(), path(name + ".tif"),
                           path(name + ".npy"), options);

        const QString script = QString(kPrelude) + R"(
import openslide
path, expected, codec = sys.argv[1], sys.argv[2], sys.argv[3]
want = pyramid(np.load(expected), 3)
slide = openslide.OpenSlide(path)
assert slide.level_count == 3, slide.level_count
assert slide.level_dimensions == ((523, 397), (262, 199), (131, 100)), slide.level_dimensions
assert slide.properties['openslide.vendor'] == 'generic-tiff', slide.properties['openslide.vendor']
assert abs(float(slide.properties['tiff.XResolution']) - 40000) < 1, dict(slide.properties)
assert slide.properties['tiff.ResolutionUnit'] == 'centimeter', dict(slide.properties)
tol = (4, 48) if codec == 'jpeg' else 0
for level in range(3):
    w, h = slide.level_dimensions[level]
    got = np.asarray(slide.read_region((0, 0), level, (w, h)))
    assert (got[:, :, 3] == 255).all()
    check('level %d' % level, got[:, :, :3].transpose(2, 0, 1), want[level], tol)
)";
        QString output;
        QVERIFY2(
            runPython(script,
                      {path(name + ".tif"), path(name + ".npy"), tiffCompressionName(codec).data()},
                      output) == 0,
            qPrintable(output));
    }

    void rgbReadByTifffile() {
        TILEFLOW_REQUIRE_PYTHON("tifffile, numpy");
        const Image image = randomImage(DType::U8, 3, 200, 130, 4);
        TiffSinkOptions options;
        options.tileSize = 64;
        writeThroughEngine(image, std::make_shared<PassThrough>(), path("rgb-tf.tif"),
                           path("rgb-tf.npy"), options);
        const QString script = QString(kPrelude) + R"(
import tifffile
path, expected = sys.argv[1], sys.argv[2]
want = pyramid(np.load(expected), 2)
with tifffile.TiffFile(path) as tif:
    assert tif.is_bigtiff
    assert len(tif.pages) == 2, len(tif.pages)
    for level, page in enumerate(tif.pages):
        assert page.is_tiled and page.tilewidth == 64 and page.tilelength == 64
        assert page.photometric == tifffile.PHOTOMETRIC.RGB
        assert page.planarconfig == tifffile.PLANARCONFIG.CONTIG
        assert page.compression == tifffile.COMPRESSION.ADOBE_DEFLATE
        assert bool(page.subfiletype & 1) == (level > 0)
        check('level %d' % level, page.asarray().transpose(2, 0, 1), want[level], 0)
    assert len(tif.series[0].levels) == 2, len(tif.series[0].levels)
)";
        QString output;
        QVERIFY2(runPython(script, {path("rgb-tf.tif"), path("rgb-tf.npy")}, output) == 0,
                 qPrintable(output));
    }

    void multichannelReadByTifffile_data() {
        QTest::addColumn<int>("dtype");
        QTest::addColumn<int>("channels");
        QTest::addColumn<int>("compression");
        QTest::addColumn<bool>("gaussian");
        QTest::addRow("u16x4 deflate") << static_cast<int>(DType::U16) << 4
                                       << static_cast<int>(TiffCompression::Deflate) << false;
        QTest::addRow("u16x4 none") << static_cast<int>(DType::U16) << 4
                                    << static_cast<int>(TiffCompression::None) << false;
        QTest::addRow("u16x4 zstd") << static_cast<int>(DType::U16) << 4
                                    << static_cast<int>(TiffCompression::Zstd) << false;
        QTest::addRow("f32x1 gaussian deflate")
            << static_cast<int>(DType::F32) << 1 << static_cast<int>(TiffCompression::Deflate)
            << true;
        QTest::addRow("f32x1 gaussian zstd")
            << static_cast<int>(DType::F32) << 1 << static_cast<int>(TiffCompression::Zstd) << true;
        QTest::addRow("i16x2 deflate") << static_cast<int>(DType::I16) << 2
                                       << static_cast<int>(TiffCompression::Deflate) << false;
        QTest::addRow("u8x1 none")
            << static_cast<int>(DType::U8) << 1 << static_cast<int>(TiffCompression::None) << false;
    }
    void multichannelReadByTifffile() {
        TILEFLOW_REQUIRE_PYTHON("tifffile, numpy");
        QFETCH(int, dtype);
        QFETCH(int, channels);
        QFETCH(int, compression);
        QFETCH(bool, gaussian);
        const auto codec = static_cast<TiffCompression>(compression);
        const Image image = randomImage(static_cast<DType>(dtype), channels, 275, 190, 7);
        TiffSinkOptions options;
        options.tileSize = 64;
        options.compression = codec;
        options.micronsPerPixel = 0.5;
        options.levels = 3;  // one more than automatic: the last level is smaller than a tile
        for (int c = 0; c < channels; ++c)
            options.channelNames.push_back("marker " + std::to_string(c));
        const QString name = QString("mc-%1").arg(QTest::currentDataTag()).replace(' ', '-');
        const auto op = gaussian
                            ? createOperation("gaussian", {{"sigma", "1.5"}})
                            : std::shared_ptr<const Operation>(std::make_shared<PassThrough>());
        writeThroughEngine(image, op, path(name + ".tif"), path(name + ".npy"), options);

        const QString script = QString(kPrelude) + R"(
import tifffile
path, expected, codec, channels = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
if codec == 'zstd':
    # tifffile needs imagecodecs (not in Debian 12) for zstd: decode with libzstd itself.
    import ctypes
    z = ctypes.CDLL('libzstd.so.1')
    z.ZSTD_getFrameContentSize.restype = ctypes.c_ulonglong
    z.ZSTD_getFrameContentSize.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
    z.ZSTD_decompress.restype = ctypes.c_size_t
    z.ZSTD_decompress.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t]
    def unzstd(data, out=None):
        size = z.ZSTD_getFrameContentSize(data, len(data))
        buf = ctypes.create_string_buffer(size)
        assert z.ZSTD_decompress(buf, size, data, len(data)) == size
        return buf.raw
    tifffile.TIFF.DECOMPRESSORS._codecs[50000] = unzstd
want = pyramid(np.load(expected).reshape(channels, 190, 275), 3)
with tifffile.TiffFile(path) as tif:
    assert len(tif.pages) == 3, len(tif.pages)
    sizes = [(190, 275), (95, 138), (48, 69)]
    for level, page in enumerate(tif.pages):
        shape = (channels,) + sizes[level] if channels > 1 else sizes[level]
        assert page.shape == shape, (level, page.shape, shape)
        assert page.dtype == want[0].dtype, (page.dtype, want[0].dtype)
        assert page.photometric == tifffile.PHOTOMETRIC.MINISBLACK
        if channels > 1:
            assert page.planarconfig == tifffile.PLANARCONFIG.SEPARATE
        assert bool(page.subfiletype & 1) == (level > 0)
        got = page.asarray().reshape((channels,) + sizes[level])
        check('level %d' % level, got, want[level], (1e-6, 1e-5) if want[0].dtype == np.float32 and level > 0 else 0)
    page = tif.pages[0]
    assert page.tags['ResolutionUnit'].value == 3
    x = page.tags['XResolution'].value
    assert abs(x[0] / x[1] - 20000) < 1, x
    assert 'channel 0: marker 0' in page.description, page.description
    series = tif.series[0]
    assert len(series.levels) == 3, len(series.levels)
    assert series.levels[1].shape == ((channels,) + sizes[1] if channels > 1 else sizes[1])
)";
        QString output;
        QVERIFY2(runPython(script,
                           {path(name + ".tif"), path(name + ".npy"),
                            tiffCompressionName(codec).data(), QString::number(channels)},
                           output) == 0,
                 qPrintable(output));
    }

    void singleLevelAndExactTiles() {
        // An image of whole tiles and a forced single level: nothing but level 0.
        TILEFLOW_REQUIRE_PYTHON("tifffile, numpy");
        const Image image = randomImage(DType::U32, 3, 128, 192, 9);
        TiffSinkOptions options;
        options.tileSize = 64;
        options.levels = 1;
        writeThroughEngine(image, std::make_shared<PassThrough>(), path("single.tif"),
                           path("single.npy"), options);
        const QString script = QString(kPrelude) + R"(
import tifffile
with tifffile.TiffFile(sys.argv[1]) as tif:
    assert len(tif.pages) == 1
    check('level 0', tif.pages[0].asarray(), np.load(sys.argv[2]), 0)
)";
        QString output;
        QVERIFY2(runPython(script, {path("single.tif"), path("single.npy")}, output) == 0,
                 qPrintable(output));
    }

    void regionsInAnyOrder() {
        // The sink accepts any disjoint regions, not only the engine's row-major chunks.
        TILEFLOW_REQUIRE_PYTHON("tifffile, numpy");
        const Image image = randomImage(DType::U8, 2, 150, 110, 5);
        TiffSinkOptions options;
        options.tileSize = 32;
        options.levels = 3;
        {
            TiffSink sink(path("order.tif").toStdString(), options);
            sink.begin(image.info());
            for (std::int64_t y = 92; y >= 0; y -= 23) {
                for (std::int64_t x = 148; x >= 0; x -= 37) {
                    const Rect r = Rect{x, y, 37, 23}.intersected(rectOf(image.size()));
                    sink.write(r, image.view().region(r));
                }
            }
            sink.commit();
        }
        writeNpy(path("order.npy").toStdString(), image);
        const QString script = QString(kPrelude) + R"(
import tifffile
want = pyramid(np.load(sys.argv[2]), 3)
with tifffile.TiffFile(sys.argv[1]) as tif:
    assert len(tif.pages) == 3
    for level, page in enumerate(tif.pages):
        check('level %d' % level, page.asarray(), want[level], 0)
)";
        QString output;
        QVERIFY2(runPython(script, {path("order.tif"), path("order.npy")}, output) == 0,
                 qPrintable(output));
    }

    void failedRunKeepsExistingFile() {
        const QString file = path("keep.tif");
        {
            std::ofstream out(file.toStdString(), std::ios::binary);
            out << "previous content";
        }
        const Image image = randomImage(DType::U8, 3, 300, 200, 2);
        TiffSinkOptions options;
        options.tileSize = 64;
        TileFlow flow = kFlow;
        flow.configure(
            std::make_shared<PassThrough>(std::pair<std::int64_t, std::int64_t>{150, 170}));
        TiffSink sink(file.toStdString(), options);
        QVERIFY_THROWS_EXCEPTION(Error, flow.run(MemorySource(image.view()), sink));
        QCOMPARE(readFile(file.toStdString()), std::string("previous content"));
        QCOMPARE(entriesOf(dir_.path()).filter(".tmp-").size(), 0);
    }

    void abortRemovesTemporaries() {
        const QString file = path("aborted.tif");
        const Image image = randomImage(DType::U16, 2, 100, 90, 3);
        TiffSinkOptions options;
        options.tileSize = 32;
        {
            TiffSink sink(file.toStdString(), options);
            sink.begin(image.info());
            const QString prefix =
                QString("aborted.tif.tmp-%1-").arg(QCoreApplication::applicationPid());
            QCOMPARE(entriesOf(dir_.path()).filter(prefix).size(), 2);  // file and levels
            sink.write({0, 0, 100, 50}, image.view().region({0, 0, 100, 50}));
            sink.abort();
            sink.abort();  // idempotent
        }
        QVERIFY(!QFileInfo::exists(file));
        QCOMPARE(entriesOf(dir_.path()).filter(".tmp-").size(), 0);
        {
            TiffSink sink(file.toStdString(), options);  // destroyed uncommitted: aborts
            sink.begin(image.info());
            sink.write({0, 0, 100, 90}, image);
        }
        QVERIFY(!QFileInfo::exists(file));
        QCOMPARE(entriesOf(dir_.path()).filter(".tmp-").size(), 0);
        {
            TiffSink sink(file.toStdString(), options);  // incomplete: commit refuses
            sink.begin(image.info());
            sink.write({0, 0, 100, 89}, image.view().region({0, 0, 100, 89}));
            QVERIFY_THROWS_EXCEPTION(InvalidArgument, sink.commit());
        }
        QVERIFY(!QFileInfo::exists(file));
        QCOMPARE(entriesOf(dir_.path()).filter(".tmp-").size(), 0);
    }

    void unwritablePathIsAnIoError() {
        const QString blocker = path("a-file");
        {
            std::ofstream out(blocker.toStdString());
            out << "x";
        }
        const std::string target = (blocker + "/out.tif").toStdString();
        TiffSink sink(target);
        try {
            sink.begin(ImageInfo{{64, 64}, 1, DType::U8});
            QFAIL("begin() succeeded under a regular file");
        } catch (const IoError& e) {
            QVERIFY2(QString(e.what()).contains(QString::fromStdString(target)), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, sink.commit());
        QCOMPARE(entriesOf(dir_.path()).filter(".tmp-").size(), 0);

        // The target is a directory: the rename fails at commit, nothing is left behind.
        const QString folder = path("occupied");
        QVERIFY(QDir().mkpath(folder + "/inside"));
        const Image image = randomImage(DType::U8, 1, 40, 40, 1);
        TiffSink onto(folder.toStdString());
        onto.begin(image.info());
        onto.write(rectOf(image.size()), image);
        QVERIFY_THROWS_EXCEPTION(IoError, onto.commit());
        QVERIFY(QFileInfo(folder + "/inside").isDir());
        QCOMPARE(entriesOf(dir_.path()).filter(".tmp-").size(), 0);
    }

    void refusesBadOptions() {
        const ImageInfo gray{{64, 64}, 1, DType::U16};
        const auto refuses = [&](TiffSinkOptions options, const ImageInfo& info) {
            TiffSink sink(path("bad.tif").toStdString(), std::move(options));
            QVERIFY_THROWS_EXCEPTION(InvalidArgument, sink.begin(info));
        };
        refuses({.compression = TiffCompression::Jpeg}, gray);
        refuses({.compression = TiffCompression::Jpeg}, ImageInfo{{64, 64}, 4, DType::U8});
        refuses({.tileSize = 40}, gray);
        refuses({.tileSize = 0}, gray);
        refuses({.levels = -1}, gray);
        refuses({.micronsPerPixel = 0.0}, gray);
        refuses({.channelNames = {"a", "b"}}, gray);
        TiffSink sink(path("bad.tif").toStdString());
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, sink.write({0, 0, 1, 1}, Image(gray)));
        sink.begin(gray);
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, sink.write({60, 60, 8, 8}, Image(gray)));
        sink.abort();
        QCOMPARE(entriesOf(dir_.path()).filter("bad.tif").size(), 0);
    }
};

QTEST_GUILESS_MAIN(TestTiffSink)
#include "test_tiff_sink.moc"
