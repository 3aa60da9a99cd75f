// Zarr v2 and OME-Zarr: ZarrSource against stores written at test time by zarr-python 2.13
// (every supported codec and dtype, edge and missing chunks, 5-D arrays, multiscale groups),
// compared with numpy slices saved as .npy; corrupt chunks and hostile metadata; and
// OmeZarrSink written through the engine and read back by zarr-python and by ZarrSource.
#include <QtTest>
#include <atomic>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "python_oracle.hpp"
#include "test_images.hpp"
#include "tileflow/engine.hpp"
#include "tileflow/error.hpp"
#include "tileflow/npy.hpp"
#include "tileflow/registry.hpp"
#include "tileflow/zarr.hpp"

using namespace tileflow;
using tileflow::testing::randomImage;
using tileflow::testing::runPython;

namespace {

void writeFile(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

QStringList entriesOf(const QString& dir) {
    return QDir(dir).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot, QDir::Name);
}

// Regions that cross chunk borders, touch the edges and cover the whole image.
std::vector<Rect> regionsOf(Size s) {
    return {rectOf(s),
            {0, 0, 1, 1},
            {s.width - 1, s.height - 1, 1, 1},
            {s.width / 3, s.height / 4, s.width / 2, s.height / 2},
            {s.width - 7, 0, 7, s.height},
            {0, s.height - 5, s.width, 5}};
}

// The independent pyramid oracle both scripts use: per channel, the sums and counts of the
// pixels under each 2x2 block (a last odd row or column has fewer).
const char* const kSum2Python = R"(
import numpy as np
def sum2(a):
    c, h, w = a.shape
    s = np.zeros((c, (h + 1) // 2, (w + 1) // 2)); n = np.zeros(s.shape[1:])
    for dy in (0, 1):
        for dx in (0, 1):
            p = a[:, dy::2, dx::2].astype(np.float64)
            s[:, :p.shape[1], :p.shape[2]] += p
            n[:p.shape[1], :p.shape[2]] += 1
    return s, n
)";

// Python fixtures: zarr arrays and groups plus the numpy arrays they must read as.
const QString kFixtures = QString(kSum2Python) + R"(
import json, os, sys
import numpy as np, numcodecs, zarr
root = sys.argv[1]
os.chdir(root)
rng = np.random.default_rng(7)
def data(shape, dt):
    if dt == 'f4':
        return rng.standard_normal(shape).astype('<f4')
    info = np.iinfo(dt)
    return rng.integers(info.min, info.max, size=shape, endpoint=True).astype(dt)
codecs = {
    'raw': None,
    'zlib': numcodecs.Zlib(level=3),
    'gzip': numcodecs.GZip(level=5),
    'zstd': numcodecs.Zstd(level=2),
    'blosc-lz4-shuffle': numcodecs.Blosc(cname='lz4', shuffle=numcodecs.Blosc.SHUFFLE),
    'blosc-zstd-bitshuffle': numcodecs.Blosc(cname='zstd', shuffle=numcodecs.Blosc.BITSHUFFLE),
    'blosc-lz4-noshuffle': numcodecs.Blosc(cname='lz4', shuffle=numcodecs.Blosc.NOSHUFFLE),
    'blosc-zlib': numcodecs.Blosc(cname='zlib', shuffle=numcodecs.Blosc.SHUFFLE),
}
cases = []
for i, (name, codec) in enumerate(codecs.items()):
    for dt in ['u1', 'i1', 'u2', 'i2', 'u4', 'f4']:
        for shape, chunks in [((53, 71), (16, 20)), ((3, 53, 71), (2, 16, 20))]:
            store = '%s_%s_%dd.zarr' % (name, dt, len(shape))
            sep = '/' if (i + len(shape)) % 2 else '.'
            fill = 0 if dt == 'f4' else 7
            z = zarr.open(store, mode='w', shape=shape, chunks=chunks, dtype='<' + dt if dt != 'u1' and dt != 'i1' else dt,
                          compressor=codec, fill_value=fill, dimension_separator=sep)
            z[...] = data(shape, dt)
            # Two chunks are never written: they read as the fill value.
            for key in list(z.store.keys()):
                parts = key.replace('/', '.').split('.')
                if parts[-2:] in (['1', '2'], ['3', '0']):
                    del z.store[key]
            expected = zarr.open(store, mode='r')[...]
            np.save(store + '.npy', expected)
            cases.append(store)
# 5-D (t, c, z, y, x): read at t = 0, z = 0.
z = zarr.open('five.zarr', mode='w', shape=(2, 3, 4, 40, 50), chunks=(1, 2, 3, 16, 16), dtype='<u2',
              compressor=numcodecs.Zstd(), dimension_separator='/')
z[...] = data((2, 3, 4, 40, 50), 'u2')
np.save('five.zarr.npy', z[0, :, 0])
cases.append('five.zarr')
with open('cases.txt', 'w') as f:
    f.write('\n'.join(cases) + '\n')

# An OME-Zarr (NGFF 0.4) group with three levels, channel labels and a pixel size.
def mean2(a):
    s, n = sum2(a)
    return np.floor(s / n + 0.5).astype(a.dtype)
g = zarr.open_group('ome.zarr', mode='w')
level = data((2, 301, 257), '<u2')
datasets = []
for i in range(3):
    g.create_dataset(str(i), data=level, chunks=(1, 64, 64), compressor=numcodecs.Zstd(),
                     dimension_separator='/')
    np.save('ome_%d.npy' % i, level)
    datasets.append({'path': str(i), 'coordinateTransformations': [
        {'type': 'scale', 'scale': [1.0, 0.25 * 2 ** i, 0.25 * 2 ** i]}]})
    level = mean2(level)
g.attrs.put({'multiscales': [{'version': '0.4', 'name': 'ome', 'datasets': datasets, 'axes': [
    {'name': 'c', 'type': 'channel'}, {'name': 'y', 'type': 'space', 'unit': 'micrometer'},
    {'name': 'x', 'type': 'space', 'unit': 'micrometer'}]}],
    'omero': {'channels': [{'label': 'DAPI'}, {'label': 'GFP'}]}})
# A 5-D OME-Zarr group whose unit is nanometer.
g = zarr.open_group('ome5.zarr', mode='w')
a = data((1, 2, 3, 30, 40), 'f4')
g.create_dataset('s0', data=a, chunks=(1, 1, 1, 16, 16), compressor=numcodecs.Blosc(cname='lz4'))
np.save('ome5.npy', a[0, :, 0])
g.attrs.put({'multiscales': [{'version': '0.4', 'datasets': [{'path': 's0', 'coordinateTransformations': [
    {'type': 'scale', 'scale': [1, 1, 1, 650, 650]}]}], 'axes': [
    {'name': 't', 'type': 'time'}, {'name': 'c', 'type': 'channel'},
    {'name': 'z', 'type': 'space', 'unit': 'nanometer'},
    {'name': 'y', 'type': 'space', 'unit': 'nanometer'},
    {'name': 'x', 'type': 'space', 'unit': 'nanometer'}]}]})
)";

}  // namespace

class TestZarr : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    bool fixtures_ = false;

    std::string path(const QString& name) const {
        return QDir(dir_.path()).filePath(name).toStdString();
    }

    void makeFixtures() {
        TILEFLOW_REQUIRE_PYTHON("zarr, numcodecs, numpy");
        if (fixtures_)
            return;
        QString output;
        QVERIFY2(runPython(kFixtures, {dir_.path()}, output) == 0, qPrintable(output));
        fixtures_ = true;
    }

    // Expects ZarrSource to refuse `store` with an IoError naming it and containing `fragment`.
    void expectRefused(const std::string& store, const char* fragment) {
        try {
            const ZarrSource source(store);
            Image image(source.info());
            source.read(rectOf(image.size()), image.view());
            QFAIL(qPrintable(QString("accepted a store that should fail with '%1'").arg(fragment)));
        } catch (const IoError& e) {
            const QString message = e.what();
            QVERIFY2(message.contains(QString::fromStdString(store)), qPrintable(message));
            QVERIFY2(message.contains(fragment, Qt::CaseInsensitive), qPrintable(message));
        }
    }

    // The file of chunk (y, x) of a 2-D store, whichever separator zarr-python used.
    static QString chunkFile(const std::string& store, int y, int x) {
        const QString base = QString::fromStdString(store) + QString("/%1").arg(y);
        return QFileInfo::exists(base + "/0") ? base + QString("/%1").arg(x)
                                              : base + QString(".%1").arg(x);
    }

    // A store with a hand-written .zarray.
    std::string handMade(const QString& name, const std::string& zarray) {
        std::string store = path(name);
        QDir().mkpath(QString::fromStdString(store));
        writeFile(store + "/.zarray", zarray);
        return store;
    }

private slots:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void readsArraysWrittenByZarrPython() {
        makeFixtures();
        std::ifstream list(path("cases.txt"));
        std::string name;
        int cases = 0;
        while (std::getline(list, name)) {
            if (name.empty())
                continue;
            ++cases;
            const ZarrSource source(path(QString::fromStdString(name)));
            const Image expected = readNpy(path(QString::fromStdString(name + ".npy")));
            QCOMPARE(source.info(), expected.info());
            const SourceMetadata meta = source.metadata();
            QCOMPARE(meta.format, std::string("zarr"));
            QCOMPARE(meta.levels.size(), std::size_t{1});
            for (const Rect& r : regionsOf(expected.size())) {
                Image part(ImageInfo{r.size(), expected.channels(), expected.dtype()});
                source.read(r, part.view());
                QVERIFY2(samePixels(expected.view().region(r), part), name.c_str());
            }
        }
        QCOMPARE(cases, 8 * 6 * 2 + 1);
    }

    void readsOmeZarrMultiscales() {
        makeFixtures();
        const ZarrSource source(path("ome.zarr"));
        QCOMPARE(source.info(), (ImageInfo{{257, 301}, 2, DType::U16}));
        const SourceMetadata meta = source.metadata();
        QCOMPARE(meta.format, std::string("ome-zarr"));
        QCOMPARE(meta.levels.size(), std::size_t{3});
        QCOMPARE(meta.levels[1].size, (Size{129, 151}));
        QCOMPARE(meta.levels[2].size, (Size{65, 76}));
        QCOMPARE(meta.levels[1].downsample, 2.0);
        QCOMPARE(meta.levels[2].downsample, 4.0);
        QVERIFY(meta.micronsPerPixel.has_value());
        QCOMPARE(*meta.micronsPerPixel, 0.25);
        QCOMPARE(meta.channelNames, (std::vector<std::string>{"DAPI", "GFP"}));
        for (int level = 0; level < 3; ++level) {
            const Image expected = readNpy(path(QString("ome_%1.npy").arg(level)));
            for (const Rect& r : regionsOf(expected.size())) {
                Image part(ImageInfo{r.size(), 2, DType::U16});
                source.readLevel(level, r, part.view());
                QVERIFY(samePixels(expected.view().region(r), part));
            }
        }
        Image one(ImageInfo{{1, 1}, 2, DType::U16});
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, source.readLevel(3, {0, 0, 1, 1}, one.view()));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, source.readLevel(2, {65, 0, 1, 1}, one.view()));

        const ZarrSource five(path("ome5.zarr"));
        const Image expected = readNpy(path("ome5.npy"));
        QCOMPARE(five.info(), expected.info());
        QVERIFY(samePixels(expected, readImage(five)));
        QCOMPARE(*five.metadata().micronsPerPixel, 0.65);
        QCOMPARE(five.metadata().channelNames, (std::vector<std::string>{"C0", "C1"}));
    }

    void engineStreamsFromZarr() {
        // A streamed run reading chunks (and halos across chunk borders) from a zarr store
        // equals the in-memory run over the whole array.
        makeFixtures();
        const ZarrSource source(path("zstd_u2_3d.zarr"));
        TileFlow flow(EngineOptions{.tile = {32, 32}, .chunk = {32, 32}});
        flow.configure(createOperation("sobel"));
        MemorySink sink;
        flow.run(source, sink);
        QVERIFY(samePixels(flow.run(readImage(source)), sink.take()));
    }

    void concurrentReads() {
        makeFixtures();
        const ZarrSource source(path("blosc-lz4-shuffle_u2_3d.zarr"), 64 << 10);  // small cache
        const Image expected = readNpy(path("blosc-lz4-shuffle_u2_3d.zarr.npy"));
        std::atomic<int> mismatches{0};
        std::vector<std::thread> threads;
        threads.reserve(6);
        for (int t = 0; t < 6; ++t) {
            threads.emplace_back([&, t] {
                for (int round = 0; round < 20; ++round) {
                    for (std::int64_t y = t; y < expected.height(); y += 6) {
                        const Rect r{(t * 5 + round) % 30, y, 41, 1};
                        Image row(ImageInfo{r.size(), 3, DType::U16});
                        source.read(r, row.view());
                        if (!samePixels(expected.view().region(r), row))
                            ++mismatches;
                    }
                }
            });
        }
        for (std::thread& t : threads)
            t.join();
        QCOMPARE(mismatches.load(), 0);
    }

    void corruptChunksFail() {
        makeFixtures();
        // Garbage in a compressed chunk, a truncated chunk, and a raw chunk of the wrong size.
        const std::pair<const char*, std::string> damage[] = {
            {"zlib_u2_2d.zarr", std::string(300, 'x')},
            {"gzip_u2_2d.zarr", "\x1f\x8b garbage"},
            {"zstd_u2_2d.zarr", std::string("\x28\xb5\x2f\xfd", 4) + std::string(50, '\1')},
            {"blosc-lz4-shuffle_u2_2d.zarr", std::string(40, '\2')},
            {"raw_u2_2d.zarr", std::string(639, '\0')}};
        for (const auto& [name, bytes] : damage) {
            const QString store = QString::fromStdString(path(name));
            const std::string chunk = chunkFile(store.toStdString(), 0, 1).toStdString();
            QVERIFY2(QFileInfo::exists(QString::fromStdString(chunk)), chunk.c_str());
            writeFile(chunk, bytes);
            const ZarrSource source(store.toStdString());
            Image image(source.info());
            try {
                source.read(rectOf(image.size()), image.view());
                QFAIL(qPrintable("read a corrupt chunk of " + store));
            } catch (const IoError& e) {
                QVERIFY2(QString(e.what()).contains(store), e.what());
                QVERIFY2(QString(e.what()).contains("corrupt"), e.what());
            }
            // Chunks that are intact still read.
            Image corner(ImageInfo{{20, 16}, 1, DType::U16});
            source.read({0, 0, 20, 16}, corner.view());
        }
        // A zlib stream that decodes to more bytes than the chunk holds: a u16 chunk of the
        // same shape in a u8 array.
        const QString store = QString::fromStdString(path("zlib_u1_2d.zarr"));
        const QString bigger = chunkFile(path("zlib_u2_2d.zarr"), 0, 0);
        QVERIFY(QFile::remove(chunkFile(store.toStdString(), 0, 1)));
        QVERIFY(QFile::copy(bigger, chunkFile(store.toStdString(), 0, 1)));
        expectRefused(store.toStdString(), "more than");
    }

    void hostileMetadataIsRefused() {
        const auto zarray = [](const std::string& shape, const std::string& chunks,
                               const std::string& rest = "") {
            return R"({"zarr_format": 2, "shape": )" + shape + R"(, "chunks": )" + chunks +
                   R"(, "dtype": "<u2", "order": "C", "fill_value": 0, "filters": null,
                   "compressor": null)" +
                   rest + "}";
        };
        expectRefused(handMade("huge", zarray("[1000000, 1000000, 1000000]", "[1, 256, 256]")),
                      "1 PiB");
        expectRefused(handMade("overflow", zarray("[99999999999999999999, 5]", "[5, 5]")), "shape");
        expectRefused(handMade("overflow2", zarray("[4294967296, 4294967296]", "[5, 5]")), "1 PiB");
        expectRefused(handMade("bigchunk", zarray("[100000, 100000]", "[100000, 100000]")),
                      "per chunk");
        expectRefused(handMade("zero", zarray("[0, 5]", "[5, 5]")), "positive");
        expectRefused(handMade("negchunk", zarray("[5, 5]", "[-1, 5]")), "positive");
        expectRefused(handMade("onedim", zarray("[5]", "[5]")), "dimensions");
        expectRefused(handMade("mismatch", zarray("[5, 5]", "[5]")), "different lengths");
        const std::string good = zarray("[5, 5]", "[5, 5]");
        const auto with = [&](const std::string& from, const std::string& to) {
            std::string s = good;
            s.replace(s.find(from), from.size(), to);
            return s;
        };
        expectRefused(handMade("bigendian", with("<u2", ">u2")), "big-endian");
        expectRefused(handMade("f8", with("<u2", "<f8")), "not supported");
        expectRefused(handMade("fortran", with("\"C\"", "\"F\"")), "C-ordered");
        expectRefused(
            handMade("filters", with("\"filters\": null", "\"filters\": [{\"id\": \"delta\"}]")),
            "filters");
        expectRefused(
            handMade("lzma", with("\"compressor\": null", "\"compressor\": {\"id\": \"lzma\"}")),
            "lzma");
        expectRefused(handMade("v3", with("\"zarr_format\": 2", "\"zarr_format\": 3")),
                      "zarr_format");
        expectRefused(handMade("fill", with("\"fill_value\": 0", "\"fill_value\": 70000")),
                      "fill_value");
        expectRefused(handMade("notjson", "{\"shape\": [5, "), "JSON");
        expectRefused(handMade("types", with("[5, 5]", "\"5x5\"")), "shape");
        expectRefused(path("no-such-store"), "neither");
        const std::string group = path("badgroup");
        QDir().mkpath(QString::fromStdString(group));
        writeFile(group + "/.zattrs", R"({"multiscales": [{"datasets": [{"path": "missing"}]}]})");
        expectRefused(group, ".zarray");
        writeFile(group + "/.zattrs", R"({"something": 1})");
        expectRefused(group, "multiscales");
    }

    void sinkRoundTripThroughEngine() {
        TILEFLOW_REQUIRE_PYTHON("zarr, numcodecs, numpy");
        const Image input = randomImage(DType::U8, 2, 700, 530, 21);
        TileFlow flow(EngineOptions{.tile = {64, 64}, .chunk = {128, 128}});
        flow.configure(createOperation("sobel"));
        const Image expected = flow.run(input);
        writeNpy(path("sobel.npy"), expected);

        const std::pair<ZarrCompression, const char*> compressions[] = {
            {ZarrCompression::BloscZstd, "zstd"},
            {ZarrCompression::Zlib, "Zlib"},
            {ZarrCompression::Zstd, "Zstd"},
            {ZarrCompression::BloscLz4, "lz4"},
            {ZarrCompression::None, "None"}};
        for (const auto& [compression, id] : compressions) {
            const std::string store = path(QString("out-%1.zarr").arg(int(compression)));
            OmeZarrSink sink(store, {.chunk = 96,
                                     .compression = compression,
                                     .channelNames = {"red", "green"},
                                     .micronsPerPixel = 0.5});
            const MemorySource source(input);
            flow.run(source, sink);
            QVERIFY(QFileInfo(QString::fromStdString(store)).isDir());
            QCOMPARE(entriesOf(dir_.path()).filter(".tmp-").size(), 0);

            // Read back by zarr-python: values, level shapes, 2x2 means, metadata.
            const QString script = QString(kSum2Python) + R"(
import sys, json
import numpy as np, zarr
store, expected_path, codec = sys.argv[1], sys.argv[2], sys.argv[3]
g = zarr.open_group(store, mode='r')
expected = np.load(expected_path)
a0 = g['0'][...]
assert a0.dtype == np.float32 and a0.shape == (2, 530, 700), (a0.dtype, a0.shape)
assert np.array_equal(a0, expected), 'level 0 differs'
assert g['0'].chunks == (1, 96, 96), g['0'].chunks
assert codec in str(g['0'].compressor), g['0'].compressor
shapes = [g[str(i)].shape for i in range(len(g))]
assert shapes == [(2, 530, 700), (2, 265, 350), (2, 133, 175), (2, 67, 88)], shapes
def mean2(a):
    s, n = sum2(a)
    return (s / n).astype(np.float32)
for i in range(1, 4):
    assert np.allclose(g[str(i)][...], mean2(g[str(i - 1)][...]), rtol=1e-6, atol=0), i
ms = g.attrs['multiscales'][0]
assert ms['version'] == '0.4'
assert [a['name'] for a in ms['axes']] == ['c', 'y', 'x']
assert ms['axes'][2]['unit'] == 'micrometer'
assert [d['coordinateTransformations'][0]['scale'] for d in ms['datasets']] == [[1, 0.5 * 2 ** i, 0.5 * 2 ** i] for i in range(4)]
assert [c['label'] for c in g.attrs['omero']['channels']] == ['red', 'green']
)";
            QString output;
            QVERIFY2(runPython(script,
                               {QString::fromStdString(store),
                                QString::fromStdString(path("sobel.npy")), id},
                               output) == 0,
                     qPrintable(output));

            // ZarrSource reads what the sink wrote.
            const ZarrSource back(store);
            QVERIFY(samePixels(expected, readImage(back)));
            const SourceMetadata meta = back.metadata();
            QCOMPARE(meta.levels.size(), std::size_t{4});
            QCOMPARE(meta.levels[3].downsample, 8.0);
            QCOMPARE(*meta.micronsPerPixel, 0.5);
            QCOMPARE(meta.channelNames, (std::vector<std::string>{"red", "green"}));
        }
    }

    void sinkIntegerLevelsRoundHalfUp() {
        TILEFLOW_REQUIRE_PYTHON("zarr, numcodecs, numpy");
        // Written directly in odd, unaligned pieces, bottom to top.
        for (DType dtype : {DType::U16, DType::I16, DType::U8}) {
            const Image image = randomImage(dtype, 1, 203, 157, 4);
            const std::string store = path(QString("int-%1.zarr").arg(dtypeName(dtype).data()));
            OmeZarrSink sink(store, {.chunk = 32, .levels = 3});
            sink.begin(image.info());
            QCOMPARE(sink.levelSizes(), (std::vector<Size>{{203, 157}, {102, 79}, {51, 40}}));
            for (std::int64_t y = 150; y >= 0; y -= 50) {
                for (std::int64_t x = 0; x < 203; x += 37) {
                    const Rect r = Rect{x, y, 37, 50}.intersected(rectOf(image.size()));
                    sink.write(r, image.view().region(r));
                }
            }
            const Rect top{0, 0, 203, 7};
            sink.write(top, image.view().region(top));
            sink.commit();
            writeNpy(path("int.npy"), image);
            const QString script = R"(
import sys
import numpy as np, zarr
g = zarr.open_group(sys.argv[1], mode='r')
a = np.load(sys.argv[2])
assert np.array_equal(g['0'][0], a)
def mean2(a):
    h, w = a.shape
    s = np.zeros(((h + 1) // 2, (w + 1) // 2)); n = np.zeros(s.shape)
    for dy in (0, 1):
        for dx in (0, 1):
            p = a[dy::2, dx::2].astype(np.float64)
            s[:p.shape[0], :p.shape[1]] += p
            n[:p.shape[0], :p.shape[1]] += 1
    return np.floor(s / n + 0.5).astype(a.dtype)
for i in (1, 2):
    assert np.array_equal(g[str(i)][0], mean2(g[str(i - 1)][0])), i
assert 'unit' not in g.attrs['multiscales'][0]['axes'][2]
assert [c['label'] for c in g.attrs['omero']['channels']] == ['C0']
)";
            QString output;
            QVERIFY2(
                runPython(script,
                          {QString::fromStdString(store), QString::fromStdString(path("int.npy"))},
                          output) == 0,
                qPrintable(output));
            QVERIFY(!ZarrSource(store).metadata().micronsPerPixel.has_value());
        }
    }

    void abortLeavesNothingAndKeepsExistingStore() {
        const Image image = randomImage(DType::U8, 1, 100, 60, 3);
        const std::string store = path("keep.zarr");
        {
            OmeZarrSink sink(store, {.chunk = 32});
            sink.begin(image.info());
            const QStringList temps =
                entriesOf(dir_.path())
                    .filter(QString("keep.zarr.tmp-%1-").arg(QCoreApplication::applicationPid()));
            QCOMPARE(temps.size(), 1);
            sink.write({0, 0, 100, 30}, image.view().region({0, 0, 100, 30}));
            sink.abort();
            sink.abort();
        }
        QVERIFY(!QFileInfo::exists(QString::fromStdString(store)));
        QCOMPARE(entriesOf(dir_.path()).filter("keep.zarr").size(), 0);

        OmeZarrSink first(store, {.chunk = 32});
        first.begin(image.info());
        first.write(rectOf(image.size()), image);
        first.commit();
        const Image other = randomImage(DType::U8, 1, 100, 60, 4);
        {
            OmeZarrSink sink(store, {.chunk = 32});  // destroyed uncommitted: aborted
            sink.begin(other.info());
            sink.write(rectOf(other.size()), other);
        }
        {
            OmeZarrSink sink(store, {.chunk = 32});
            sink.begin(other.info());
            sink.write({0, 0, 100, 20}, other.view().region({0, 0, 100, 20}));
            // commit() before every pixel arrived fails and leaves the old store.
            QVERIFY_THROWS_EXCEPTION(IoError, sink.commit());
        }
        QVERIFY(samePixels(image, readImage(ZarrSource(store))));
        QCOMPARE(entriesOf(dir_.path()).filter("keep.zarr").size(), 1);

        // A committed store replaces the old one.
        OmeZarrSink second(store, {.chunk = 32});
        second.begin(other.info());
        second.write(rectOf(other.size()), other);
        second.commit();
        QVERIFY(samePixels(other, readImage(ZarrSource(store))));
        QCOMPARE(entriesOf(dir_.path()).filter("keep.zarr").size(), 1);

        // Anything that is not a zarr store is never replaced.
        const QString folder = QDir(dir_.path()).filePath("precious");
        QVERIFY(QDir().mkpath(folder + "/inside"));
        OmeZarrSink refused(folder.toStdString(), {.chunk = 32});
        QVERIFY_THROWS_EXCEPTION(IoError, refused.begin(image.info()));
        QVERIFY(QFileInfo(folder + "/inside").isDir());
    }

    void failedRunLeavesNoStore() {
        // A run that fails midway (a callback throws after some chunks were written) aborts
        // the sink: neither the store nor its temporary remains.
        struct FailLate final : Callbacks {
            void onChunkEnd(const Rect&, const RunStats& stats) override {
                if (stats.chunksDone >= 3)
                    throw Error("deliberate failure");
            }
        } failLate;
        const Image input = randomImage(DType::U16, 1, 500, 400, 8);
        const MemorySource source(input);
        TileFlow flow(EngineOptions{.tile = {64, 64}, .chunk = {128, 128}});
        flow.configure(createOperation("sobel"));
        const std::string store = path("failed.zarr");
        OmeZarrSink sink(store, {.chunk = 64});
        QVERIFY_THROWS_EXCEPTION(Error, flow.run(source, sink, {.callbacks = &failLate}));
        QVERIFY(!QFileInfo::exists(QString::fromStdString(store)));
        QCOMPARE(entriesOf(dir_.path()).filter("failed.zarr").size(), 0);

        std::stop_source stop;
        stop.request_stop();
        QVERIFY_THROWS_EXCEPTION(Cancelled, flow.run(source, sink, {.stop = stop.get_token()}));
        QCOMPARE(entriesOf(dir_.path()).filter("failed.zarr").size(), 0);
    }

    void sinkRefusesMisuse() {
        const Image image = randomImage(DType::U8, 2, 40, 40, 3);
        OmeZarrSink sink(path("misuse.zarr"), {.chunk = 32});
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, sink.write({0, 0, 40, 40}, image));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, sink.commit());
        OmeZarrSink odd(path("odd.zarr"), {.chunk = 33});
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, odd.begin(image.info()));
        OmeZarrSink names(path("names.zarr"), {.channelNames = {"only one"}});
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, names.begin(image.info()));
        sink.begin(image.info());
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, sink.write({20, 20, 40, 40}, image));
        sink.write({0, 0, 40, 20}, image.view().region({0, 0, 40, 20}));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument,
                                 sink.write({0, 10, 40, 20}, image.view().region({0, 10, 40, 20})));
        sink.abort();
        QVERIFY(!QFileInfo::exists(QString::fromStdString(path("misuse.zarr"))));
        OmeZarrSink nowhere(path("no-such-folder/x.zarr"));
        QVERIFY_THROWS_EXCEPTION(IoError, nowhere.begin(image.info()));
    }
};

QTEST_GUILESS_MAIN(TestZarr)
#include "test_zarr.moc"
