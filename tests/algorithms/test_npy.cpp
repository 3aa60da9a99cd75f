// NumPy .npy files: round trips, interchange with numpy itself, header validation, the
// atomic sink and out-of-core region reads.
#include <QtTest>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "python_oracle.hpp"
#include "test_images.hpp"
#include "tileflow/error.hpp"
#include "tileflow/npy.hpp"

using namespace tileflow;
using tileflow::testing::randomImage;
using tileflow::testing::runPython;
using tileflow::testing::sampleAt;

namespace {

const DType kAllDTypes[] = {DType::U8, DType::I8, DType::U16, DType::I16, DType::U32, DType::F32};

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void writeFile(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A version 1.0 (or `major`.0) file with the given header dictionary and `dataBytes` zeros.
std::string npyBytes(const std::string& dict, std::size_t dataBytes, int major = 1) {
    std::string header = dict + "\n";
    std::string out = "\x93NUMPY";
    out += static_cast<char>(major);
    out += '\0';
    const std::size_t lengthBytes = major == 1 ? 2 : 4;
    for (std::size_t i = 0; i < lengthBytes; ++i) {
        out += static_cast<char>((header.size() >> (8 * i)) & 0xff);
    }
    return out + header + std::string(dataBytes, '\0');
}

QStringList entriesOf(const QString& dir) {
    return QDir(dir).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot, QDir::Name);
}

// The value numpy's  np.arange(n).astype(dtype)  (f4: * 0.5) has at flat index i.
double arangeValue(DType dtype, std::int64_t i) {
    switch (dtype) {
        case DType::U8:
            return static_cast<std::uint8_t>(i);
        case DType::I8:
            return static_cast<std::int8_t>(static_cast<std::uint8_t>(i));
        case DType::U16:
            return static_cast<std::uint16_t>(i);
        case DType::I16:
            return static_cast<std::int16_t>(static_cast<std::uint16_t>(i));
        case DType::U32:
            return static_cast<std::uint32_t>(i);
        case DType::F32:
            return static_cast<float>(i) * 0.5f;
    }
    return 0;
}

}  // namespace

class TestNpy : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::string path(const char* name) const {
        return QDir(dir_.path()).filePath(name).toStdString();
    }

    // Expects readNpy (and NpySource) to refuse `bytes` with an IoError naming the file and
    // containing `fragment`.
    void expectRefused(const std::string& bytes, const char* fragment) {
        const std::string file = path("bad.npy");
        writeFile(file, bytes);
        try {
            readNpy(file);
            QFAIL(qPrintable(QString("accepted a file that should fail with '%1'").arg(fragment)));
        } catch (const IoError& e) {
            const QString message = e.what();
            QVERIFY2(message.contains(QString::fromStdString(file)), qPrintable(message));
            QVERIFY2(message.contains(fragment, Qt::CaseInsensitive), qPrintable(message));
        }
    }

private slots:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void roundTripEveryDType_data() {
        QTest::addColumn<int>("dtype");
        QTest::addColumn<int>("channels");
        for (DType t : kAllDTypes) {
            for (int channels : {1, 3}) {
                QTest::addRow("%s x%d", dtypeName(t).data(), channels)
                    << static_cast<int>(t) << channels;
            }
        }
    }
    void roundTripEveryDType() {
        QFETCH(int, dtype);
        QFETCH(int, channels);
        const Image image = randomImage(static_cast<DType>(dtype), channels, 37, 23, 11);
        const std::string file = path("round.npy");
        writeNpy(file, image);
        const Image back = readNpy(file);
        QVERIFY(samePixels(image, back));

        // One channel is written (H, W), more as (C, H, W); the preamble is 64-byte aligned.
        const std::string bytes = readFile(file);
        const std::string shape = channels == 1 ? "'shape': (23, 37)" : "'shape': (3, 23, 37)";
        QVERIFY2(bytes.find(shape) != std::string::npos, bytes.substr(0, 128).c_str());
        const auto dataBytes = static_cast<std::size_t>(image.bytes());
        QCOMPARE((bytes.size() - dataBytes) % 64, std::size_t{0});
        QCOMPARE(bytes[bytes.size() - dataBytes - 1], '\n');
    }

    void writesStridedViews() {
        // A region of a bigger image (rows and channels not packed) is written correctly.
        const Image big = randomImage(DType::U16, 4, 50, 40, 3);
        const ConstImageView part = big.view().channelRange(1, 2).region({7, 5, 21, 13});
        writeNpy(path("part.npy"), part);
        const Image back = readNpy(path("part.npy"));
        QVERIFY(samePixels(part, back));
    }

    void readsFilesWrittenByNumpy() {
        TILEFLOW_REQUIRE_PYTHON("numpy");
        const QString folder = dir_.path();
        const QString script = QString(R"(
import numpy as np, os
os.chdir(%1)
for dt in ['u1', 'i1', 'u2', 'i2', 'u4', 'f4']:
    for shape in [(13, 17), (3, 13, 17)]:
        n = int(np.prod(shape))
        a = np.arange(n).astype('<' + dt).reshape(shape)
        if dt == 'f4':
            a = (np.arange(n) * 0.5).astype('<f4').reshape(shape)
        np.save('np_%s_%d.npy' % (dt, len(shape)), a)
a = np.arange(2 * 5 * 7).astype('<u2').reshape(2, 5, 7)
for version in [(2, 0), (3, 0)]:
    with open('np_v%d.npy' % version[0], 'wb') as f:
        np.lib.format.write_array(f, a, version=version)
np.save('np_fortran.npy', np.asfortranarray(np.arange(12).astype('<u2').reshape(3, 4)))
np.save('np_big.npy', np.arange(12).astype('>u2').reshape(3, 4))
np.save('np_f8.npy', np.zeros((3, 4)))
)")
                                   .arg("'" + folder + "'");
        QString output;
        QVERIFY2(runPython(script, {}, output) == 0, qPrintable(output));

        const std::pair<const char*, DType> codes[] = {{"u1", DType::U8},  {"i1", DType::I8},
                                                       {"u2", DType::U16}, {"i2", DType::I16},
                                                       {"u4", DType::U32}, {"f4", DType::F32}};
        for (const auto& [code, dtype] : codes) {
            for (int dims : {2, 3}) {
                const std::string file =
                    path(qPrintable(QString("np_%1_%2.npy").arg(code).arg(dims)));
                const Image image = readNpy(file);
                QCOMPARE(image.dtype(), dtype);
                QCOMPARE(image.channels(), dims == 2 ? 1 : 3);
                QCOMPARE(image.width(), std::int64_t{17});
                QCOMPARE(image.height(), std::int64_t{13});
                std::int64_t i = 0;
                for (int c = 0; c < image.channels(); ++c) {
                    for (std::int64_t y = 0; y < 13; ++y) {
                        for (std::int64_t x = 0; x < 17; ++x, ++i) {
                            QCOMPARE(sampleAt(image, c, x, y), arangeValue(dtype, i));
                        }
                    }
                }
            }
        }
        for (const char* name : {"np_v2.npy", "np_v3.npy"}) {
            const Image image = readNpy(path(name));
            QCOMPARE(image.info(), (ImageInfo{{7, 5}, 2, DType::U16}));
            QCOMPARE(sampleAt(image, 1, 6, 4), 69.0);
        }
        QVERIFY_THROWS_EXCEPTION(IoError, readNpy(path("np_fortran.npy")));
        QVERIFY_THROWS_EXCEPTION(IoError, readNpy(path("np_big.npy")));
        QVERIFY_THROWS_EXCEPTION(IoError, readNpy(path("np_f8.npy")));
    }

    void numpyReadsOurFiles() {
        TILEFLOW_REQUIRE_PYTHON("numpy");
        for (DType t : kAllDTypes) {
            for (int channels : {1, 2}) {
                Image image(t, channels, 9, 4);
                ImageView v = image.view();
                std::int64_t i = 0;
                for (int c = 0; c < channels; ++c) {
                    for (std::int64_t y = 0; y < 4; ++y) {
                        for (std::int64_t x = 0; x < 9; ++x, ++i) {
                            const double value = arangeValue(t, i);
                            switch (t) {
                                case DType::U8:
                                    v.row<std::uint8_t>(c, y)[x] = static_cast<std::uint8_t>(value);
                                    break;
                                case DType::I8:
                                    v.row<std::int8_t>(c, y)[x] = static_cast<std::int8_t>(value);
                                    break;
                                case DType::U16:
                                    v.row<std::uint16_t>(c, y)[x] =
                                        static_cast<std::uint16_t>(value);
                                    break;
                                case DType::I16:
                                    v.row<std::int16_t>(c, y)[x] = static_cast<std::int16_t>(value);
                                    break;
                                case DType::U32:
                                    v.row<std::uint32_t>(c, y)[x] =
                                        static_cast<std::uint32_t>(value);
                                    break;
                                case DType::F32:
                                    v.row<float>(c, y)[x] = static_cast<float>(value);
                                    break;
                            }
                        }
                    }
                }
                writeNpy(path(qPrintable(
                             QString("ours_%1_%2.npy").arg(dtypeName(t).data()).arg(channels))),
                         image);
            }
        }
        const QString script = QString(R"(
import numpy as np, os
os.chdir(%1)
for name, dt in [('u8', 'u1'), ('i8', 'i1'), ('u16', 'u2'), ('i16', 'i2'), ('u32', 'u4'), ('f32', 'f4')]:
    for channels, shape in [(1, (4, 9)), (2, (2, 4, 9))]:
        a = np.load('ours_%s_%d.npy' % (name, channels))
        n = int(np.prod(shape))
        expected = (np.arange(n) * 0.5).astype('<f4') if dt == 'f4' else np.arange(n).astype('<' + dt)
        assert a.shape == shape, (name, a.shape)
        assert a.dtype == np.dtype('<' + dt), (name, a.dtype)
        assert np.array_equal(a, expected.reshape(shape)), name
)")
                                   .arg("'" + dir_.path() + "'");
        QString output;
        QVERIFY2(runPython(script, {}, output) == 0, qPrintable(output));
    }

    void malformedFilesAreRefused() {
        const std::string good = "{'descr': '<u2', 'fortran_order': False, 'shape': (3, 4), }";
        expectRefused("", "too short");
        expectRefused("hello world, this is not numpy", "magic");
        expectRefused(npyBytes(good, 24).substr(0, 30), "truncated");
        expectRefused(npyBytes(good, 23), "truncated");
        expectRefused(npyBytes(good, 25), "unexpected bytes");
        expectRefused(
            npyBytes("{'descr': '<u2', 'fortran_order': False, 'shape': (100000, 100000), }", 24),
            "truncated");
        expectRefused(npyBytes("{'descr': '<u2', 'fortran_order': False, 'shape': "
                               "(2, 4294967296, 4294967296), }",
                               24),
                      "overflows");
        expectRefused(npyBytes("{'descr': '<u2', 'fortran_order': False, 'shape': "
                               "(4294967296, 1, 1), }",
                               24),
                      "too many channels");
        expectRefused(npyBytes("{'descr': '<u2', 'fortran_order': False, 'shape': "
                               "(99999999999999999999, 2), }",
                               24),
                      "overflows");
        expectRefused(npyBytes("{'descr': '<u2', 'fortran_order': True, 'shape': (3, 4), }", 24),
                      "Fortran");
        expectRefused(npyBytes("{'descr': '>u2', 'fortran_order': False, 'shape': (3, 4), }", 24),
                      "big-endian");
        expectRefused(npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }", 96),
                      "not supported");
        expectRefused(
            npyBytes("{'descr': [('a', '<u2')], 'fortran_order': False, 'shape': (3,), }", 6),
            "structured");
        expectRefused(npyBytes("{'descr': '<u2', 'fortran_order': False, 'shape': (12,), }", 24),
                      "not an image");
        expectRefused(npyBytes("{'descr': '<u2', 'fortran_order': False, 'shape': (0, 4), }", 0),
                      "no pixels");
        expectRefused(npyBytes("{'descr': '<u2', 'fortran_order': False}", 24),
                      "lacks key 'shape'");
        expectRefused(npyBytes("{'descr': '<u2' 'fortran_order': False, 'shape': (3, 4), }", 24),
                      "malformed header");
        expectRefused(
            npyBytes("{'descr': '<u2', 'descr': '<u2', 'fortran_order': False, 'shape': (3, 4)}",
                     24),
            "twice");
        expectRefused(
            npyBytes("{'descr': '<u2', 'fortran_order': False, 'shape': (3, 4), 'x': 1}", 24),
            "unexpected key");
        expectRefused(
            npyBytes("{'descr': '<u2', 'fortran_order': False, 'shape': (3, 4), } junk", 24),
            "after the closing");
        expectRefused(npyBytes(good, 24, 4), "version 4.0");

        // A version 2.0 header that claims 4 GiB: refused before anything is read or allocated.
        std::string huge = npyBytes(good, 24, 2);
        huge[8] = huge[9] = huge[10] = huge[11] = '\xff';
        expectRefused(huge, "limit");

        // Files that cannot be opened at all.
        QVERIFY_THROWS_EXCEPTION(IoError, readNpy(path("does-not-exist.npy")));
        QVERIFY_THROWS_EXCEPTION(IoError, readNpy(dir_.path().toStdString()));
    }

    void acceptsOldStyleHeaders() {
        // Python 2 numpy wrote long literals and double-quoted strings appear in hand-made files.
        const std::string file = path("old.npy");
        writeFile(
            file,
            npyBytes("{\"descr\": \"|u1\", \"fortran_order\": False, \"shape\": (2L, 3L)}", 6));
        QCOMPARE(readNpy(file).info(), (ImageInfo{{3, 2}, 1, DType::U8}));
    }

    void sourceRegionsMatchWholeRead() {
        const Image image = randomImage(DType::U16, 3, 101, 67, 5);
        const std::string file = path("regions.npy");
        writeNpy(file, image);
        const NpySource source(file);
        QCOMPARE(source.info(), image.info());
        const Rect regions[] = {{0, 0, 101, 67}, {0, 10, 101, 5}, {0, 0, 1, 1},   {100, 66, 1, 1},
                                {13, 7, 40, 31}, {60, 0, 41, 67}, {5, 66, 96, 1}, {0, 0, 0, 0}};
        for (const Rect& r : regions) {
            Image part(ImageInfo{r.size(), 3, DType::U16});
            source.read(r, part.view());
            QVERIFY(samePixels(image.view().region(r), part));
        }
        // Into a strided destination: a region of a bigger buffer.
        Image canvas = Image::zeros({{120, 80}, 3, DType::U16});
        source.read({0, 0, 101, 67}, canvas.view().region({9, 4, 101, 67}));
        QVERIFY(samePixels(image, canvas.view().region({9, 4, 101, 67})));

        // Concurrent reads from several threads.
        std::vector<std::thread> threads;
        threads.reserve(4);
        std::atomic<int> mismatches{0};
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&, t] {
                for (std::int64_t y = t; y < 67; y += 4) {
                    const Rect r{std::int64_t{t} * 3, y, 50, 1};
                    Image row(ImageInfo{r.size(), 3, DType::U16});
                    source.read(r, row.view());
                    if (!samePixels(image.view().region(r), row))
                        ++mismatches;
                }
            });
        }
        for (std::thread& t : threads)
            t.join();
        QCOMPARE(mismatches.load(), 0);

        Image wrong(ImageInfo{{2, 2}, 3, DType::U16});
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, source.read({100, 0, 2, 2}, wrong.view()));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, source.read({0, 0, 3, 2}, wrong.view()));
    }

    void sinkWritesRegionsInAnyOrder() {
        const Image image = randomImage(DType::F32, 2, 64, 48, 9);
        const std::string file = path("tiled.npy");
        NpySink sink(file);
        sink.begin(image.info());
        for (std::int64_t y = 32; y >= 0; y -= 16) {
            for (std::int64_t x = 0; x < 64; x += 24) {
                const Rect r = Rect{x, y, 24, 16}.intersected(rectOf(image.size()));
                sink.write(r, image.view().region(r));
            }
        }
        sink.write({0, 0, 64, 48}, image);  // whole-width region: one write per channel
        sink.commit();
        QVERIFY(samePixels(image, readNpy(file)));
        QCOMPARE(entriesOf(dir_.path()).filter(".tmp-").size(), 0);
    }

    void sinkAbortLeavesExistingFileUntouched() {
        const std::string file = path("keep.npy");
        writeFile(file, "previous content");
        const Image image = randomImage(DType::U8, 1, 16, 8, 1);
        {
            NpySink sink(file);
            sink.begin(image.info());
            // The temporary lives next to the target: <name>.tmp-<pid>-<random>.
            const QString prefix =
                QString("keep.npy.tmp-%1-").arg(QCoreApplication::applicationPid());
            const QStringList temps = entriesOf(dir_.path()).filter(prefix);
            QCOMPARE(temps.size(), 1);
            QVERIFY(temps[0].startsWith(prefix));
            sink.write(rectOf(image.size()), image);
            sink.abort();
            sink.abort();  // idempotent
        }
        QCOMPARE(readFile(file), std::string("previous content"));
        QCOMPARE(entriesOf(dir_.path()).filter(".tmp-").size(), 0);

        {
            NpySink sink(file);  // destroyed without commit: same as abort
            sink.begin(image.info());
            sink.write(rectOf(image.size()), image);
        }
        QCOMPARE(readFile(file), std::string("previous content"));
        QCOMPARE(entriesOf(dir_.path()).filter(".tmp-").size(), 0);

        writeNpy(file, image);  // a successful commit replaces it
        QVERIFY(samePixels(image, readNpy(file)));
    }

    void failedCommitLeavesNoTemporary() {
        // The target is a directory: rename fails, the directory stays, no temporary remains.
        const QString target = QDir(dir_.path()).filePath("occupied");
        QVERIFY(QDir().mkpath(target + "/inside"));
        const Image image = randomImage(DType::U8, 1, 4, 4, 2);
        NpySink sink(target.toStdString());
        sink.begin(image.info());
        sink.write(rectOf(image.size()), image);
        try {
            sink.commit();
            QFAIL("commit onto a directory succeeded");
        } catch (const IoError& e) {
            QVERIFY2(QString(e.what()).contains(target), e.what());
        }
        QVERIFY(QFileInfo(target + "/inside").isDir());
        QCOMPARE(entriesOf(dir_.path()).filter(".tmp-").size(), 0);
    }

    void sinkRefusesMisuse() {
        NpySink sink(path("misuse.npy"));
        const Image image = randomImage(DType::U8, 1, 4, 4, 2);
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, sink.write({0, 0, 4, 4}, image));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, sink.commit());
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, sink.begin(ImageInfo{{0, 4}, 1, DType::U8}));
        sink.begin(image.info());
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, sink.write({2, 2, 4, 4}, image));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, sink.write({0, 0, 2, 2}, image));
        sink.abort();
        QVERIFY(!QFileInfo::exists(QString::fromStdString(path("misuse.npy"))));
        QVERIFY_THROWS_EXCEPTION(IoError, writeNpy(path("no-such-folder/x.npy"), image));
    }
};

QTEST_GUILESS_MAIN(TestNpy)
#include "test_npy.moc"
