// Error messages at the user's edge: for each class of bad input (missing, empty or foreign
// files, cut or damaged TIFF, zarr and .npy files, unsupported samples and codecs, outputs that
// cannot be written), `tileflow info` or `tileflow process` fails with its exit status and one
// line on stderr that names the file and says the problem in words the table expects, with
// nothing of libtiff's, the standard library's or nlohmann's internals in it.
#include <tiffio.h>

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>
#include <vector>

#include "cli_runner.hpp"
#include "hostile_tiff.hpp"

using tileflow::testing::Outcome;
using tileflow::testing::runTileflow;

namespace {

constexpr int kFailure = 1;      // tileflow's exit status for a failed run
constexpr int kBadArgument = 2;  // ... and for arguments it does not accept

// A 64x64 one-sample TIFF in 16x16 deflate tiles, written by libtiff.
bool writeTiff(const QString& path, int bits, int sampleFormat) {
    TIFF* tif = TIFFOpen(path.toLocal8Bit().constData(), "w");
    if (tif == nullptr)
        return false;
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, 64);
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, 64);
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, bits);
    TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, sampleFormat);
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
    TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(tif, TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE);
    TIFFSetField(tif, TIFFTAG_TILEWIDTH, 16);
    TIFFSetField(tif, TIFFTAG_TILELENGTH, 16);
    std::vector<unsigned char> tile(static_cast<std::size_t>(TIFFTileSize(tif)));
    bool written = true;
    for (std::uint32_t t = 0; t < TIFFNumberOfTiles(tif); ++t) {
        for (std::size_t i = 0; i < tile.size(); ++i)
            tile[i] = static_cast<unsigned char>((i * 7 + static_cast<std::size_t>(t) * 13) % 251);
        written = written && TIFFWriteEncodedTile(tif, t, tile.data(),
                                                  static_cast<tmsize_t>(tile.size())) >= 0;
    }
    TIFFClose(tif);
    return written;
}

// Where tile `index` of `path` is stored (offset, byte count), as libtiff locates it.
std::pair<qint64, qint64> tileBytes(const QString& path, std::uint32_t index) {
    TIFF* tif = TIFFOpen(path.toLocal8Bit().constData(), "r");
    if (tif == nullptr)
        return {0, 0};
    const auto offset = static_cast<qint64>(TIFFGetStrileOffset(tif, index));
    const auto count = static_cast<qint64>(TIFFGetStrileByteCount(tif, index));
    TIFFClose(tif);
    return {offset, count};
}

// Library internals that must not reach a user.
const QRegularExpression kInternals(
    QStringLiteral(R"(\bTIFF[A-Z][a-z]+[A-Z]\w*|\b[A-Z]{2,}(De|En)code\b|scanline 4294967295|)"
                   R"(std::|basic_string|what\(\)|nlohmann|json\.exception|openslide_)"));

}  // namespace

class TestErrorMessages : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;

    QString path(const QString& name) const { return dir_.filePath(name); }

    QString file(const QString& name, const QByteArray& bytes) const {
        QFile out(path(name));
        if (!out.open(QIODevice::WriteOnly) || out.write(bytes) != bytes.size())
            qFatal("cannot write %s", qPrintable(out.fileName()));
        return out.fileName();
    }

    QByteArray contentOf(const QString& name) const {
        QFile in(path(name));
        if (!in.open(QIODevice::ReadOnly))
            qFatal("cannot read %s", qPrintable(in.fileName()));
        return in.readAll();
    }

    // A zarr store holding `zarray` as its .zarray and, when given, `chunk` as chunk 0.0.
    QString zarr(const QString& name, const QByteArray& zarray,
                 const QByteArray& chunk = QByteArray()) const {
        QDir().mkpath(path(name));
        file(name + "/.zarray", zarray);
        if (!chunk.isNull())
            file(name + "/0.0", chunk);
        return path(name);
    }

    // A .npy file of version 1.0: `magic`, the header dictionary `dict` padded as numpy pads
    // it, then `dataBytes` zero bytes; `keep` > 0 cuts the file to that many bytes.
    QString npy(const QString& name, const QByteArray& dict, qsizetype dataBytes,
                const QByteArray& magic = "\x93NUMPY", qsizetype keep = 0) const {
        QByteArray header = dict;
        header.append(63 - (10 + header.size()) % 64, ' ');
        header.append('\n');
        QByteArray bytes = magic;
        bytes.append("\x01\x00", 2);
        bytes.append(static_cast<char>(header.size() & 0xff));
        bytes.append(static_cast<char>(header.size() >> 8));
        bytes.append(header);
        bytes.append(QByteArray(dataBytes, '\0'));
        return file(name, keep > 0 ? bytes.left(keep) : bytes);
    }

private slots:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void failsWithOneLineNamingTheFileAndTheProblem_data() {
        QTest::addColumn<QStringList>("args");  // the command line
        QTest::addColumn<QString>("file");      // what the message must name
        QTest::addColumn<int>("exitCode");      // what tileflow must exit with
        QTest::addColumn<QString>("phrase");    // the problem, in the message's words
        const auto info = [](const QString& name) { return QStringList{"info", name}; };
        const auto decode = [this](const QString& name) {
            return QStringList{"process", name, path("decoded.npy")};
        };

        const QString missing = path("missing.tif");
        QTest::newRow("missing file") << info(missing) << missing << kFailure << "no such file";
        QDir().mkpath(path("folder"));
        QTest::newRow("folder that is no zarr store")
            << info(path("folder")) << path("folder") << kFailure
            << "neither a zarr array (.zarray) nor an OME-Zarr group (.zattrs)";
        const QString text = file("notes.tif", "these are notes, not pixels\n");
        QTest::newRow("text file named .tif")
            << info(text) << text << kBadArgument << "not a format tileflow reads";
        const QString empty = file("empty.tif", "");
        QTest::newRow("empty file") << info(empty) << empty << kFailure << "the file is empty";

        // A valid TIFF, cut short: in its header, after it, and at half its size.
        QVERIFY(writeTiff(path("valid.tif"), 8, SAMPLEFORMAT_UINT));
        const QByteArray valid = contentOf("valid.tif");
        const QString header = file("cut-6.tif", valid.left(6));
        QTest::newRow("TIFF cut in its header")
            << info(header) << header << kFailure
            << "the file is truncated (6 bytes): it ends inside the TIFF header";
        const QString cut = file("cut-12.tif", valid.left(12));
        QTest::newRow("TIFF cut at 12 bytes")
            << info(cut) << cut << kFailure
            << "the file is truncated (12 bytes): its first directory, at offset";
        const QString half = file("cut-half.tif", valid.left(valid.size() / 2));
        QTest::newRow("TIFF cut at half its size")
            << info(half) << half << kFailure
            << QStringLiteral("the file is truncated (%1 bytes)").arg(valid.size() / 2);

        // Tile 5's deflate stream overwritten: the file opens, the tile does not decode.
        QVERIFY(writeTiff(path("garbage.tif"), 8, SAMPLEFORMAT_UINT));
        const auto [offset, count] = tileBytes(path("garbage.tif"), 5);
        QVERIFY(count > 0);
        QByteArray garbage = contentOf("garbage.tif");
        garbage.replace(offset, count, QByteArray(count, '\xff'));
        file("garbage.tif", garbage);
        QTest::newRow("TIFF tile of garbage")
            << decode(path("garbage.tif")) << path("garbage.tif") << kFailure
            << "cannot decode tile 5 of the directory at offset";

        QVERIFY(writeTiff(path("12-bit.tif"), 12, SAMPLEFORMAT_UINT));
        QTest::newRow("TIFF of 12-bit samples")
            << info(path("12-bit.tif")) << path("12-bit.tif") << kFailure
            << "has 12-bit unsigned integer samples; supported are";
        QVERIFY(writeTiff(path("complex.tif"), 64, SAMPLEFORMAT_COMPLEXIEEEFP));
        QTest::newRow("TIFF of complex samples")
            << info(path("complex.tif")) << path("complex.tif") << kFailure
            << "has 64-bit complex floating-point samples; supported are";
        tileflow::testing::writeHostileTiff(path("jpeg2000.tif").toStdString(),
                                            {.width = 64,
                                             .height = 64,
                                             .samples = 1,
                                             .bits = 8,
                                             .tileWidth = 16,
                                             .tileHeight = 16,
                                             .compression = 34712});
        QTest::newRow("TIFF of an unsupported compression")
            << info(path("jpeg2000.tif")) << path("jpeg2000.tif") << kFailure
            << "uses compression 34712, which this libtiff cannot decode";

        const QByteArray zarray = R"({"zarr_format": 2, "shape": [64, 64], "chunks": [32, 32],
            "dtype": "<u2", "order": "C", "fill_value": 0, "filters": null, "compressor": null})";
        const QString json = zarr("json.zarr", zarray.left(60));
        QTest::newRow("zarr .zarray of malformed JSON")
            << info(json) << json << kFailure << ".zarray is not valid JSON (parse error at line";
        const QString complex = zarr("complex.zarr", QByteArray(zarray).replace("<u2", "<c8"));
        QTest::newRow("zarr of complex samples")
            << info(complex) << complex << kFailure << "dtype '<c8' is not supported";
        const QString lzma = zarr(
            "lzma.zarr",
            QByteArray(zarray).replace(R"("compressor": null)", R"("compressor": {"id": "lzma"})"));
        QTest::newRow("zarr of an unknown compressor")
            << info(lzma) << lzma << kFailure << "compressor 'lzma' is not supported";
        const QString shortChunk = zarr("short.zarr", zarray, QByteArray(100, '\0'));
        QTest::newRow("zarr chunk cut short")
            << decode(shortChunk) << shortChunk << kFailure
            << QStringLiteral("(chunk '%1/0.0'): corrupt chunk: it holds 100 bytes, not 2048")
                   .arg(shortChunk);
        const QString zlib = zarr(
            "zlib.zarr",
            QByteArray(zarray).replace(R"("compressor": null)", R"("compressor": {"id": "zlib"})"),
            QByteArray(100, '\x5a'));
        QTest::newRow("zarr chunk of corrupt zlib")
            << decode(zlib) << zlib << kFailure
            << QStringLiteral("(chunk '%1/0.0'): corrupt chunk: zlib").arg(zlib);

        const QByteArray dict = "{'descr': '<u2', 'fortran_order': False, 'shape': (4, 4), }";
        const QString magic = npy("magic.npy", dict, 32, "\x93NUMPX");
        QTest::newRow(".npy of a bad magic string")
            << info(magic) << magic << kFailure << "not a .npy file";
        const QString cutHeader = npy("header.npy", dict, 32, "\x93NUMPY", 30);
        QTest::newRow(".npy cut in its header")
            << info(cutHeader) << cutHeader << kFailure
            << "the file is truncated: its header needs 128 bytes but the file has 30";
        const QString fortran = npy("fortran.npy", QByteArray(dict).replace("False", "True"), 32);
        QTest::newRow(".npy in Fortran order")
            << info(fortran) << fortran << kFailure
            << "stored in Fortran (column-major) order, which is not supported";
        const QString shortData = npy("short.npy", dict, 20);
        QTest::newRow(".npy of fewer pixels than its header says")
            << info(shortData) << shortData << kFailure
            << "the file is truncated: shape (4, 4) of u16 needs 32 bytes of pixels but the file "
               "holds 20";

        // A real slide cut at half its size, where OpenSlide no longer recognises it, and one
        // whose JPEG tiles in the middle are zeroed, which OpenSlide opens and cannot decode
        // (empty file names when the sample is absent).
        QFile slide(qEnvironmentVariable("TILEFLOW_TESTDATA") + "/libvips/CMU-1-Small-Region.svs");
        QString svs;
        QString zeroed;
        qsizetype halfSlide = 0;
        if (slide.open(QIODevice::ReadOnly)) {
            const QByteArray bytes = slide.readAll();
            halfSlide = bytes.size() / 2;
            svs = file("cut.svs", bytes.left(halfSlide));
            zeroed = file("zeroed.svs",
                          QByteArray(bytes).replace(300000, 200000, QByteArray(200000, '\0')));
        }
        QTest::newRow("slide cut at half its size")
            << info(svs) << svs << kFailure
            << QStringLiteral("the file is truncated (%1 bytes)").arg(halfSlide);
        QTest::newRow("slide of zeroed tiles")
            << decode(zeroed) << zeroed << kFailure << "Not a JPEG file";

        const QString nowhere = path("no-such-folder/out.tif");
        QTest::newRow("output into a folder that does not exist")
            << QStringList{"process", "synthetic:64x64x1:u8", nowhere} << nowhere << kFailure
            << QStringLiteral("the folder '%1' does not exist").arg(path("no-such-folder"));
        const QString png = path("out.png");
        QTest::newRow("output of an unknown format")
            << QStringList{"process", "synthetic:64x64x1:u8", png} << png << kBadArgument
            << "outputs are .tif/.tiff, .zarr or .npy";
    }

    void failsWithOneLineNamingTheFileAndTheProblem() {
        QFETCH(QStringList, args);
        QFETCH(QString, file);
        QFETCH(int, exitCode);
        QFETCH(QString, phrase);
        if (file.isEmpty())
            QSKIP("TILEFLOW_TESTDATA lacks libvips/CMU-1-Small-Region.svs");
        const Outcome r = runTileflow(args, 60000);
        QVERIFY2(r.err.endsWith('\n'), qPrintable(r.err));
        const QString line = r.err.chopped(1);
        qInfo("%s", qPrintable(line));
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(!line.contains('\n'), qPrintable(r.err));
        QVERIFY2(line.startsWith("tileflow: "), qPrintable(line));
        QVERIFY2(line.contains(file), qPrintable(line));
        QVERIFY2(line.contains(phrase), qPrintable(line));
        const QRegularExpressionMatch internal = kInternals.match(line);
        QVERIFY2(!internal.hasMatch(), qPrintable(internal.captured() + " in: " + line));
    }
};

QTEST_GUILESS_MAIN(TestErrorMessages)
#include "test_error_messages.moc"
