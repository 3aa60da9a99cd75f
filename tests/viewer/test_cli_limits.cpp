// tileflow --max-memory: parsing, and the binary refusing what does not fit.
#include <QTemporaryDir>
#include <QtTest>

#include "cli/arguments.hpp"
#include "cli_runner.hpp"
#include "hostile_tiff.hpp"
#include "tileflow/error.hpp"
#include "tileflow/limits.hpp"

using namespace tileflow;
using tileflow::testing::Outcome;
using tileflow::testing::runTileflow;

class TestCliLimits : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;

private slots:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void takesTheGlobalOptions() {
        std::vector<std::string> args{"in.tif", "--max-memory", "512M", "--json"};
        const cli::GlobalOptions options = cli::takeGlobalOptions(args);
        QCOMPARE(options.maxMemoryBytes.value(), std::int64_t{512} << 20);
        QCOMPARE(args, (std::vector<std::string>{"in.tif", "--json"}));
        std::vector<std::string> none{"in.tif"};
        QVERIFY(!cli::takeGlobalOptions(none).maxMemoryBytes);
        QCOMPARE(cli::parseMemorySize("4G", "--max-memory"), std::int64_t{4} << 30);
        QCOMPARE(cli::parseMemorySize("1048576", "--max-memory"), std::int64_t{1} << 20);
    }

    void refusesBadSizes() {
        for (const char* text : {"banana", "0", "1K", "-5M", "4X", "1.5G"}) {
            std::vector<std::string> args{"--max-memory", text};
            try {
                cli::takeGlobalOptions(args);
                QFAIL(text);
            } catch (const InvalidArgument& e) {
                QVERIFY2(QString(e.what()).contains("--max-memory expects a size"), e.what());
            }
        }
        std::vector<std::string> missing{"in.tif", "--max-memory"};
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, cli::takeGlobalOptions(missing));
    }

    void appliesTheMemoryLimit() {
        const ResourceLimits saved = resourceLimits();
        cli::applyGlobalOptions({std::int64_t{64} << 20});
        QCOMPARE(resourceLimits().maxMemoryBytes, std::int64_t{64} << 20);
        QCOMPARE(resourceLimits().maxPixels, saved.maxPixels);
        cli::applyGlobalOptions({});
        QCOMPARE(resourceLimits().maxMemoryBytes, std::int64_t{64} << 20);
        setResourceLimits(saved);
    }

    void infoRefusesWhatDoesNotFit() {
        // Tiles of 4096 x 2048 x 8 u16 samples: 128 MiB each.
        const QString file = dir_.filePath("hostile.tif");
        tileflow::testing::writeHostileTiff(file.toStdString(),
                                            {.tileWidth = 4096, .tileHeight = 2048});
        const Outcome fits = runTileflow({"info", file});
        QVERIFY2(fits.exitCode == 0, qPrintable(fits.err));
        QVERIFY2(fits.out.contains("1000000 x 1000000"), qPrintable(fits.out));

        const Outcome r = runTileflow({"info", file, "--max-memory", "64M"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.startsWith("tileflow: " + file + ": "), qPrintable(r.err));
        QVERIFY2(r.err.contains("more than the memory limit of 64 MiB"), qPrintable(r.err));
        QVERIFY2(r.err.contains("--max-memory"), qPrintable(r.err));
        QCOMPARE(r.err.count('\n'), 1);
    }

    void badValuesExitWithTwo() {
        for (const char* command : {"info", "process", "bench"}) {
            const Outcome r = runTileflow({command, "--max-memory", "banana"});
            QCOMPARE(r.exitCode, 2);
            QVERIFY2(r.err.contains("--max-memory expects a size"), qPrintable(r.err));
            QVERIFY2(r.err.contains("banana"), qPrintable(r.err));
        }
    }

    void processShrinksItsChunksToFit() {
        const QString limited = dir_.filePath("limited.npy");
        const QString free = dir_.filePath("free.npy");
        const QStringList run{"process", "synthetic:2048x2048x1:u8:5", "--op", "sobel", "--quiet"};
        const Outcome a = runTileflow(run + QStringList{limited, "--max-memory", "2M"});
        QVERIFY2(a.exitCode == 0, qPrintable(a.err));
        const Outcome b = runTileflow(run + QStringList{free});
        QVERIFY2(b.exitCode == 0, qPrintable(b.err));
        QFile x(limited), y(free);
        QVERIFY(x.open(QIODevice::ReadOnly) && y.open(QIODevice::ReadOnly));
        QCOMPARE(x.size(), qint64{128 + 2048 * 2048 * 4});
        QVERIFY(x.readAll() == y.readAll());
    }

    void benchRefusesAnInputOverTheLimit() {
        // 4096^2 x 8 f32 held in memory: 512 MiB.
        const Outcome r = runTileflow(
            {"bench", "--size", "4096", "--channels", "8", "--repeat", "1", "--max-memory", "64M"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("needs 512 MiB, more than the memory limit of 64 MiB"),
                 qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestCliLimits)
#include "test_cli_limits.moc"
