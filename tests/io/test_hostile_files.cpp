// Hostile files: TIFF, zarr and NumPy headers claiming terabytes, too many pixels or channels
// or huge tiles and chunks fail at once, with a message naming the file and the limit, and
// without the process's memory growing.
#include <fcntl.h>
#include <unistd.h>

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>
#include <string>

#include "hostile_tiff.hpp"
#include "limits_guard.hpp"
#include "tileflow/error.hpp"
#include "tileflow/limits.hpp"
#include "tileflow/monitors.hpp"
#include "tileflow/npy.hpp"
#include "tileflow/tiff_source.hpp"
#include "tileflow/zarr.hpp"

using namespace tileflow;
using tileflow::testing::LimitsGuard;
using tileflow::testing::TiffClaim;
using tileflow::testing::writeHostileTiff;

namespace {

constexpr std::int64_t kMiB = std::int64_t{1} << 20;

void writeFile(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::int64_t rssBytes() {
    const auto memory = processMemory();
    return memory ? memory->rssBytes : 0;
}

}  // namespace

class TestHostileFiles : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;

    std::string path(const QString& name) const { return dir_.filePath(name).toStdString(); }

    // Runs `attempt`, which must throw an IoError within seconds without the resident memory
    // growing by 64 MiB; returns the message.
    template <typename Attempt>
    QString refusal(Attempt&& attempt) {
        const std::int64_t before = rssBytes();
        QElapsedTimer timer;
        timer.start();
        QString message;
        try {
            attempt();
        } catch (const IoError& e) {
            message = QString::fromUtf8(e.what());
        }
        const std::int64_t grown = rssBytes() - before;
        if (message.isEmpty())
            QTest::qFail("the hostile file was accepted", __FILE__, __LINE__);
        if (timer.elapsed() > 5000)
            QTest::qFail("refusing the hostile file took more than 5 s", __FILE__, __LINE__);
        if (grown > 64 * kMiB) {
            QTest::qFail(qPrintable(QString("resident memory grew by %1 MiB").arg(grown / kMiB)),
                         __FILE__, __LINE__);
        }
        return message;
    }

    // A limit refused `file`: the message names both.
    static bool namesFileAndLimit(const QString& message, const std::string& file,
                                  const QString& limit) {
        return message.contains(QString::fromStdString(file)) && message.contains(limit) &&
               message.contains("setResourceLimits");
    }

    std::string zarrStore(const QString& name, const std::string& shape,
                          const std::string& chunks) {
        std::string store = path(name);
        QDir().mkpath(QString::fromStdString(store));
        writeFile(store + "/.zarray", R"({"zarr_format": 2, "shape": )" + shape +
                                          R"(, "chunks": )" + chunks +
                                          R"(, "dtype": "<u2", "order": "C", "fill_value": 0,
                                          "filters": null, "compressor": null})");
        return store;
    }

    // A .npy file whose header claims `shape` of u16, followed by `dataBytes` (sparse) bytes.
    std::string npyFile(const QString& name, const std::string& shape, std::int64_t dataBytes) {
        std::string dict = "{'descr': '<u2', 'fortran_order': False, 'shape': " + shape + ", }";
        dict.append(63 - (10 + dict.size()) % 64, ' ');
        dict += '\n';
        std::string bytes = "\x93NUMPY\x01";
        bytes += '\0';
        bytes += static_cast<char>(dict.size() & 0xff);
        bytes += static_cast<char>(dict.size() >> 8);
        bytes += dict;
        const std::string file = path(name);
        writeFile(file, bytes);
        const int fd = ::open(file.c_str(), O_WRONLY);
        const bool sized =
            fd >= 0 && ::ftruncate(fd, static_cast<off_t>(bytes.size()) + dataBytes) == 0;
        if (fd >= 0)
            ::close(fd);
        return sized ? file : std::string();
    }

private slots:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void tiffStripOfTerabytes() {
        // 10^6 x 10^6 pixels of 8 u16 samples in one deflate strip: 14.6 TiB to decode.
        const std::string file = path("strip.tif");
        writeHostileTiff(file, TiffClaim{});
        const QString message = refusal([&] { TiffSource source(file); });
        QVERIFY2(message.startsWith(QString::fromStdString(file) + ": "), qPrintable(message));
        QVERIFY2(namesFileAndLimit(message, file, "limit of 256 MiB per strip"),
                 qPrintable(message));
    }

    void tiffOfTerabytesInSmallTiles() {
        // The same claim in 256 x 256 tiles: it opens (only tiles are ever decoded), its tiles
        // lie past the end of the file, and it cannot be read into memory whole.
        const std::string file = path("tiles.tif");
        writeHostileTiff(file, TiffClaim{.tileWidth = 256, .tileHeight = 256});
        const TiffSource source(file);
        QCOMPARE(source.info(), (ImageInfo{{1000000, 1000000}, 8, DType::U16}));
        const QString cut = refusal([&] {
            Image tile(ImageInfo{{256, 256}, 8, DType::U16});
            source.read({0, 0, 256, 256}, tile.view());
        });
        QVERIFY2(cut.startsWith(QString::fromStdString(file) + ": "), qPrintable(cut));
        const QString whole = refusal([&] { (void)readImage(source); });
        QVERIFY2(whole.contains("more than the memory limit") && whole.contains("--max-memory"),
                 qPrintable(whole));
    }

    void tiffOverThePixelLimit() {
        const std::string file = path("pixels.tif");
        writeHostileTiff(file, TiffClaim{.width = 1u << 21,
                                         .height = 1u << 21,
                                         .samples = 1,
                                         .tileWidth = 1024,
                                         .tileHeight = 1024});
        const QString message = refusal([&] { TiffSource source(file); });
        QVERIFY2(namesFileAndLimit(message, file, "limit of 1099511627776 pixels per level"),
                 qPrintable(message));
    }

    void tiffOverTheChannelLimit() {
        LimitsGuard guard;
        ResourceLimits limits = resourceLimits();
        limits.maxChannels = 4;
        setResourceLimits(limits);
        const std::string file = path("channels.tif");
        writeHostileTiff(file,
                         TiffClaim{.width = 64, .height = 64, .tileWidth = 16, .tileHeight = 16});
        const QString message = refusal([&] { TiffSource source(file); });
        QVERIFY2(namesFileAndLimit(message, file, "too many channels: 8"), qPrintable(message));
    }

    void tiffTilesOverTheMemoryLimit() {
        // Tiles of 4096 x 2048 x 8 u16 samples, 128 MiB each: fine by default, too much in 64 MiB.
        const std::string file = path("bigtiles.tif");
        writeHostileTiff(file, TiffClaim{.tileWidth = 4096, .tileHeight = 2048});
        { const TiffSource source(file); }
        LimitsGuard guard;
        ResourceLimits limits = resourceLimits();
        limits.maxMemoryBytes = 64 * kMiB;
        setResourceLimits(limits);
        const QString message = refusal([&] { TiffSource source(file); });
        QVERIFY2(message.contains(QString::fromStdString(file)), qPrintable(message));
        QVERIFY2(message.contains("needs 128 MiB, more than the memory limit of 64 MiB"),
                 qPrintable(message));
        QVERIFY2(message.contains("--max-memory"), qPrintable(message));
    }

    void zarrWithHugeChunks() {
        const std::string store =
            zarrStore("chunks.zarr", "[8, 1000000, 1000000]", "[8, 100000, 100000]");
        const QString message = refusal([&] { ZarrSource source(store); });
        QVERIFY2(namesFileAndLimit(message, store, "limit of 256 MiB per chunk"),
                 qPrintable(message));
    }

    void zarrOverThePixelAndChannelLimits() {
        const std::string pixels = zarrStore("pixels.zarr", "[2097152, 2097152]", "[256, 256]");
        QVERIFY2(namesFileAndLimit(refusal([&] { ZarrSource source(pixels); }), pixels,
                                   "limit of 1099511627776 pixels"),
                 "pixels");
        const std::string channels =
            zarrStore("channels.zarr", "[5000, 1000, 1000]", "[1, 256, 256]");
        QVERIFY2(namesFileAndLimit(refusal([&] { ZarrSource source(channels); }), channels,
                                   "too many channels: 5000"),
                 "channels");
    }

    void npyClaimingTerabytes() {
        // 2^21 x 2^21 u16 (8 TiB) in a file of 128 bytes: the pixel limit, before the size.
        const std::string pixels = npyFile("pixels.npy", "(2097152, 2097152)", 0);
        QVERIFY(!pixels.empty());
        const QString message = refusal([&] { NpySource source(pixels); });
        QVERIFY2(namesFileAndLimit(message, pixels, "limit of 1099511627776 pixels"),
                 qPrintable(message));
        // 8 x 10^6 x 10^6 u16 (14.6 TiB) is within the limits but the file is truncated.
        const std::string cut = npyFile("cut.npy", "(8, 1000000, 1000000)", 16);
        QVERIFY(!cut.empty());
        const QString truncated = refusal([&] { NpySource source(cut); });
        QVERIFY2(truncated.contains(QString::fromStdString(cut)) && truncated.contains("truncated"),
                 qPrintable(truncated));
    }

    void npyTooLargeToReadWhole() {
        // A sparse 128 MiB array streams, but readNpy() refuses it under a 64 MiB limit.
        const std::string file = npyFile("sparse.npy", "(4, 4096, 4096)", 128 * kMiB);
        QVERIFY(!file.empty());
        LimitsGuard guard;
        ResourceLimits limits = resourceLimits();
        limits.maxMemoryBytes = 64 * kMiB;
        setResourceLimits(limits);
        const NpySource source(file);
        QCOMPARE(source.info(), (ImageInfo{{4096, 4096}, 4, DType::U16}));
        const QString message = refusal([&] { (void)readNpy(file); });
        QVERIFY2(message.contains(QString::fromStdString(file)), qPrintable(message));
        QVERIFY2(message.contains("needs 128 MiB, more than the memory limit of 64 MiB"),
                 qPrintable(message));
    }
};

QTEST_GUILESS_MAIN(TestHostileFiles)
#include "test_hostile_files.moc"
