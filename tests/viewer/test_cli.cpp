// The tileflow command line: argument parsing, and the binary run end to end.
#include <signal.h>

#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "cli/arguments.hpp"
#include "cli_runner.hpp"
#include "file_tree.hpp"
#include "tileflow/engine.hpp"
#include "tileflow/error.hpp"
#include "tileflow/npy.hpp"
#include "tileflow/registry.hpp"
#include "tileflow/synthetic.hpp"

using namespace tileflow;
using tileflow::testing::filesBelow;
using tileflow::testing::Outcome;
using tileflow::testing::runTileflow;

class TestCli : public QObject {
    Q_OBJECT

private slots:
    void parsesProcessArguments() {
        const auto a = cli::parseProcessArguments(
            {"in.npy", "--op", "gaussian", "--param", "sigma=1.5", "--tile", "256x128", "--overlap",
             "9", "--mode", "blend", "--chunk", "1024", "--threads", "2", "out.npy"});
        QCOMPARE(a.input, std::string("in.npy"));
        QCOMPARE(a.output, std::string("out.npy"));
        QCOMPARE(a.operation, std::string("gaussian"));
        QCOMPARE(a.parameters.at("sigma"), std::string("1.5"));
        QCOMPARE(a.engine.tile, (Size{256, 128}));
        QCOMPARE(a.engine.overlap.value(), std::int64_t{9});
        QVERIFY(a.engine.reconstruction == Reconstruction::Blend);
        QCOMPARE(a.engine.chunk, (Size{1024, 1024}));
        QCOMPARE(a.engine.threads, 2);
    }

    void rejectsBadArguments_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("zero tile") << QStringList{"a.npy", "b.npy", "--op", "sobel", "--tile", "0"}
                                   << "--tile expects a whole number from 1";
        QTest::newRow("bad tile") << QStringList{"a.npy", "b.npy",  "--op",
                                                 "sobel", "--tile", "12xq"}
                                  << "got 'q'";
        QTest::newRow("bad mode") << QStringList{"a.npy", "b.npy",  "--op",
                                                 "sobel", "--mode", "feather"}
                                  << "--mode expects crop or blend";
        QTest::newRow("param without =")
            << QStringList{"a.npy", "b.npy", "--op", "sobel", "--param", "sigma"}
            << "--param expects key=value";
        QTest::newRow("missing value")
            << QStringList{"a.npy", "b.npy", "--op"} << "--op needs a value";
        QTest::newRow("one file") << QStringList{"a.npy", "--op", "sobel"}
                                  << "expects an input and an output";
        QTest::newRow("unknown option") << QStringList{"a.npy", "b.npy", "--op", "sobel", "--fast"}
                                        << "unknown option '--fast'";
        QTest::newRow("shard past the count") << QStringList{"a.npy", "b.zarr", "--shard", "3/3"}
                                              << "--shard i expects a whole number from 0 to 2";
        QTest::newRow("shard without a count")
            << QStringList{"a.npy", "b.zarr", "--shard", "1"} << "--shard expects i/n";
        QTest::newRow("no shards") << QStringList{"a.npy", "b.zarr", "--shard", "0/0"}
                                   << "--shard n expects a whole number from 1";
    }
    void rejectsBadArguments() {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        std::vector<std::string> argv;
        for (const QString& a : args)
            argv.push_back(a.toStdString());
        try {
            cli::parseProcessArguments(argv);
            QFAIL("expected InvalidArgument");
        } catch (const InvalidArgument& e) {
            QVERIFY2(QString(e.what()).contains(message), e.what());
        }
    }

    void parsesSelections() {
        const auto a = cli::parseProcessArguments({"in.npy", "out.npy", "--level", "2", "--region",
                                                   "10,20,300,400", "--channels", "3,0"});
        QCOMPARE(a.operation, std::string("copy"));
        QCOMPARE(a.level.value(), 2);
        QCOMPARE(a.region.value(), (Rect{10, 20, 300, 400}));
        QCOMPARE(a.channels.value(), (std::vector<int>{3, 0}));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, cli::parseRegion("1,2,3"));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, cli::parseRegion("1,2,0,4"));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, cli::parseChannels("1,,2"));
    }

    void copyWritesTheSelectedRegionAndChannels() {
        QTemporaryDir dir;
        const QString out = dir.filePath("part.npy");
        const Outcome r = runTileflow({"process", "synthetic:300x200x4:u8:9", out, "--region",
                                       "17,30,101,77", "--channels", "3,1"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const Image whole =
            SyntheticSource(SyntheticSpec::parse("synthetic:300x200x4:u8:9")).render();
        const Image got = readNpy(out.toStdString());
        QCOMPARE(got.info(), (ImageInfo{{101, 77}, 2, DType::U8}));
        QVERIFY(samePixels(std::as_const(got).view().channel(0),
                           whole.view().region({17, 30, 101, 77}).channel(3)));
        QVERIFY(samePixels(std::as_const(got).view().channel(1),
                           whole.view().region({17, 30, 101, 77}).channel(1)));
        const Outcome bad =
            runTileflow({"process", "synthetic:300x200x4:u8:9", out, "--channels", "4"});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY2(bad.err.contains("channel 4 does not exist"), qPrintable(bad.err));
    }

    void outputDtypeConversion() {
        QTemporaryDir dir;
        const QString out = dir.filePath("stretched.npy");
        const Outcome r = runTileflow(
            {"process", "synthetic:64x64x2:u16:4", out, "--op", "stretch", "--out-dtype", "u8"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("-> 64x64x2 u8"));
        // stretch gives [0, 1]; u8 output is that times 255, rounded.
        const Image expected =
            TileFlow()
                .configure(createOperation("stretch"))
                .run(SyntheticSource(SyntheticSpec::parse("synthetic:64x64x2:u16:4")).render());
        const Image got = readNpy(out.toStdString());
        QCOMPARE(got.dtype(), DType::U8);
        for (int c = 0; c < 2; ++c) {
            for (std::int64_t y = 0; y < 64; ++y) {
                for (std::int64_t x = 0; x < 64; ++x) {
                    const auto want = static_cast<int>(std::nearbyint(
                        std::clamp(expected.view().row<float>(c, y)[x], 0.0f, 1.0f) * 255.0));
                    QCOMPARE(int(got.view().row<std::uint8_t>(c, y)[x]), want);
                }
            }
        }
        QCOMPARE(runTileflow({"process", "synthetic:8x8x1", out, "--out-range", "5,1"}).exitCode,
                 2);
    }

    void convertsBetweenFormatsAndLevels() {
        QTemporaryDir dir;
        const QString tif = dir.filePath("slide.tif");
        Outcome r = runTileflow({"process", "synthetic:600x500x3:u8:2", tif, "--out-tile", "128"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = runTileflow({"info", tif, "--json"});
        const QJsonObject info = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(info["format"].toString(), QString("tiff"));
        QCOMPARE(info["levels"].toArray().size(), 2);
        QCOMPARE(info["levels"].toArray()[1].toObject()["width"].toInt(), 300);
        QCOMPARE(info["channel_names"].toArray()[0].toString(), QString("R"));  // u8 x 3 is RGB
        // Level 1 of the TIFF, to OME-Zarr, back to .npy: the 2x2 means of the original.
        const QString zarr = dir.filePath("level1.zarr");
        r = runTileflow({"process", tif, zarr, "--level", "1"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = runTileflow({"info", zarr, "--json"});
        const QJsonObject zinfo = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(zinfo["format"].toString(), QString("ome-zarr"));
        QCOMPARE(zinfo["channel_names"].toArray()[2].toString(), QString("B"));
        const QString npy = dir.filePath("level1.npy");
        r = runTileflow({"process", zarr, npy});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const Image level1 = readNpy(npy.toStdString());
        const Image full =
            SyntheticSource(SyntheticSpec::parse("synthetic:600x500x3:u8:2")).render();
        QCOMPARE(level1.size(), (Size{300, 250}));
        for (int c = 0; c < 3; ++c) {
            for (std::int64_t y = 0; y < 250; y += 7) {
                for (std::int64_t x = 0; x < 300; x += 5) {
                    const auto v = [&](std::int64_t dx, std::int64_t dy) {
                        return int(full.view().row<std::uint8_t>(c, 2 * y + dy)[2 * x + dx]);
                    };
                    const int mean =
                        (v(0, 0) + v(1, 0) + v(0, 1) + v(1, 1) + 2) / 4;  // round half up
                    QCOMPARE(int(level1.view().row<std::uint8_t>(c, y)[x]), mean);
                }
            }
        }
    }

    void corruptInputFailsWithoutOutput() {
        QTemporaryDir dir;
        const QString tif = dir.filePath("whole.tif");
        QVERIFY(runTileflow({"process", "synthetic:700x600x1:u16", tif, "--compression", "deflate"})
                    .exitCode == 0);
        QFile file(tif);
        QVERIFY(file.open(QIODevice::ReadWrite));
        // Keep the directories (at the end of a BigTIFF written by libtiff? not guaranteed):
        // overwrite the middle of the file, where the compressed tiles are.
        file.seek(file.size() / 3);
        file.write(QByteArray(4096, '\x5a'));
        file.close();
        const QString out = dir.filePath("out.npy");
        const Outcome r = runTileflow({"process", tif, out, "--op", "sobel"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.startsWith("tileflow: ") && r.err.contains(tif) && r.err.count('\n') == 1,
                 qPrintable(r.err));
        QVERIFY(!QFile::exists(out));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList{"whole.tif"});
    }

    void nothingButOurOwnLineReachesStderr() {
        // libtiff and OpenSlide print to stderr unless their handlers are captured; every
        // sample file, readable or not, must give either silence or one line of ours.
        const QString data = qEnvironmentVariable("TILEFLOW_TESTDATA");
        if (data.isEmpty() || !QDir(data).exists())
            QSKIP("TILEFLOW_TESTDATA is not set");
        QDirIterator files(data, QDir::Files, QDirIterator::Subdirectories);
        int checked = 0;
        while (files.hasNext()) {
            const QString file = files.next();
            const Outcome r = runTileflow({"info", file});
            QVERIFY2(r.err.isEmpty() || (r.err.startsWith("tileflow: ") && r.err.count('\n') == 1),
                     qPrintable(file + ": " + r.err));
            ++checked;
        }
        QVERIFY(checked > 0);
    }

    void infoDescribesTheImage() {
        QTemporaryDir dir;
        const QString path = dir.filePath("stack.npy");
        writeNpy(path.toStdString(), Image::zeros({{40, 30}, 3, DType::U16}));
        const Outcome r = runTileflow({"info", path, "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(o["format"].toString(), QString("npy"));
        QCOMPARE(o["width"].toInt(), 40);
        QCOMPARE(o["height"].toInt(), 30);
        QCOMPARE(o["channels"].toInt(), 3);
        QCOMPARE(o["dtype"].toString(), QString("u16"));
        QCOMPARE(o["levels"].toArray().size(), 1);
        QVERIFY(o["microns_per_pixel"].isNull());
        const Outcome text = runTileflow({"info", "synthetic:64x48x2:u8"});
        QVERIFY2(text.out.contains("channels    2 (nuclei, cytoplasm)"), qPrintable(text.out));
        QCOMPARE(runTileflow({"info", dir.filePath("missing.npy")}).exitCode, 1);
    }

    void processWritesWhatTheEngineComputes() {
        QTemporaryDir dir;
        const QString out = dir.filePath("edges.npy");
        const Outcome r = runTileflow({"process", "synthetic:300x200x3:u16:5", out, "--op", "sobel",
                                       "--tile", "64", "--chunk", "128"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("wrote"));
        const Image expected =
            TileFlow()
                .configure(createOperation("sobel"))
                .run(SyntheticSource(SyntheticSpec::parse("synthetic:300x200x3:u16:5")).render());
        QVERIFY(samePixels(readNpy(out.toStdString()), expected));
    }

    // A store filled by shards run as separate processes, in any order, then finalised, is
    // the store one process writes, file for file and byte for byte.
    void shardsThenFinalizeWriteTheSingleRunsStore_data() {
        QTest::addColumn<QStringList>("options");
        QTest::addColumn<int>("shards");
        QTest::newRow("gaussian, 3 shards")
            << QStringList{"--op", "gaussian", "--param", "sigma=2"} << 3;
        QTest::newRow("stretch to u8, 4 shards")
            << QStringList{"--op", "stretch", "--out-dtype", "u8", "--compression", "zstd"} << 4;
        QTest::newRow("sobel blended, 2 shards")
            << QStringList{"--op", "sobel", "--mode", "blend", "--overlap", "8", "--tile", "96"}
            << 2;
    }
    void shardsThenFinalizeWriteTheSingleRunsStore() {
        QFETCH(QStringList, options);
        QFETCH(int, shards);
        QTemporaryDir single, sharded;
        // Neither side a multiple of the chunk.
        const QStringList common =
            QStringList{"synthetic:700x450x2:u16:9", "OUT", "--out-tile", "128", "-q"} + options;
        const auto run = [&](const QString& out, const QStringList& extra) {
            QStringList args = QStringList{"process"} + common + extra;
            args.replaceInStrings("OUT", out);
            return runTileflow(args);
        };
        const QString singleStore = single.filePath("out.zarr");
        const QString shardedStore = sharded.filePath("out.zarr");
        const Outcome whole = run(singleStore, {});
        QVERIFY2(whole.exitCode == 0, qPrintable(whole.err));
        for (int i = shards - 1; i >= 0; --i) {
            const Outcome part =
                run(shardedStore, {"--shard", QString("%1/%2").arg(i).arg(shards)});
            QVERIFY2(part.exitCode == 0, qPrintable(part.err));
            if (i == 1) {
                // Not finished yet: finalising now fails, naming the shard still to come.
                const Outcome early = runTileflow({"finalize", shardedStore});
                QCOMPARE(early.exitCode, 1);
                QVERIFY2(early.err.contains("shard 0 of " + QString::number(shards) +
                                            " has not finished"),
                         qPrintable(early.err));
            }
        }
        const Outcome finished = runTileflow({"finalize", shardedStore});
        QVERIFY2(finished.exitCode == 0, qPrintable(finished.err));
        QVERIFY2(finished.out.contains("700x450x2"), qPrintable(finished.out));

        const QMap<QString, QByteArray> expected = filesBelow(singleStore);
        const QMap<QString, QByteArray> got = filesBelow(shardedStore);
        QVERIFY(expected.size() > 10);
        QCOMPARE(got.keys(), expected.keys());
        for (auto it = expected.begin(); it != expected.end(); ++it)
            QVERIFY2(got.value(it.key()) == it.value(), qPrintable(it.key()));
    }

    void processReportsMeasurements() {
        QTemporaryDir dir;
        const Outcome r = runTileflow({"process", "synthetic:512x512x2:u8:3", dir.filePath("n.npy"),
                                       "--op", "nuclei", "--tile", "128"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("nuclei_count = "), qPrintable(r.out));
    }

    void errorsExitNonZeroWithOneLine_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown op")
            << QStringList{"process", "synthetic:10x10x1", "OUT", "--op", "blur"}
            << "unknown operation 'blur'";
        QTest::newRow("bad param") << QStringList{"process",  "synthetic:10x10x1", "OUT",    "--op",
                                                  "gaussian", "--param",           "sigma=0"}
                                   << "'sigma' must be in";
        QTest::newRow("missing input")
            << QStringList{"process", "no-such-file.npy", "OUT", "--op", "sobel"}
            << "no-such-file.npy";
        QTest::newRow("overlap too small")
            << QStringList{"process",  "synthetic:64x64x1", "OUT", "--op",
                           "gaussian", "--overlap",         "1"}
            << "smaller than the radius";
        QTest::newRow("unknown command") << QStringList{"paint"} << "unknown command 'paint'";
    }
    void errorsExitNonZeroWithOneLine() {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        QTemporaryDir dir;
        const QString out = dir.filePath("out.npy");
        args.replaceInStrings("OUT", out);
        const Outcome r = runTileflow(args);
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.startsWith("tileflow: ") && r.err.contains(message), qPrintable(r.err));
        if (args.first() == "process") {
            QCOMPARE(r.err.count('\n'), 1);
            QVERIFY2(!QFile::exists(out), "a failed run must leave no output");
            QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 0);
        }
    }

    void failureAtCommitLeavesNoTemporary() {
        // The output name is taken by a directory: everything is computed, then the final
        // rename fails. The temporary must go, and the directory stays as it was.
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkdir("out.npy"));
        const Outcome r =
            runTileflow({"process", "synthetic:64x64x1", dir.filePath("out.npy"), "--op", "sobel"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.startsWith("tileflow: ") && r.err.count('\n') == 1, qPrintable(r.err));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList());
        QVERIFY(QFileInfo(dir.filePath("out.npy")).isDir());
    }

    void interruptCancelsAndRemovesTheTemporary_data() {
        QTest::addColumn<bool>("sigint");
        QTest::newRow("SIGTERM") << false;
        QTest::newRow("SIGINT") << true;
    }
    void interruptCancelsAndRemovesTheTemporary() {
        QFETCH(bool, sigint);
        QTemporaryDir dir;
        QProcess p;
        p.start(TILEFLOW_BINARY, {"process", "synthetic:16384x16384x2:u16", dir.filePath("big.npy"),
                                  "--op", "gaussian", "--param", "sigma=3", "--chunk", "1024"});
        QVERIFY(p.waitForStarted());
        // Interrupt once the run is under way: its temporary output exists.
        QTRY_VERIFY_WITH_TIMEOUT(!QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).isEmpty(),
                                 30000);
        ::kill(static_cast<pid_t>(p.processId()), sigint ? SIGINT : SIGTERM);
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 130);
        QVERIFY(QString::fromUtf8(p.readAllStandardError()).contains("cancelled"));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList());
    }

    void usageErrorsExitWithTwo() {
        QCOMPARE(runTileflow({}).exitCode, 2);
        QCOMPARE(runTileflow({"paint"}).exitCode, 2);
        QCOMPARE(runTileflow({"process", "a.npy"}).exitCode, 2);
        const Outcome help = runTileflow({"--help"});
        QCOMPARE(help.exitCode, 0);
        QVERIFY(help.out.contains("usage: tileflow"));
    }

    void benchJsonHasTheFigures() {
        const Outcome r = runTileflow({"bench", "--size", "256", "--channels", "2", "--dtype",
                                       "f32", "--op", "sobel", "--json", "--repeat", "1"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
        for (const char* key : {"seconds", "mpix_per_s", "peak_rss_bytes", "engine_bytes"}) {
            QVERIFY2(o.contains(key), key);
        }
        QVERIFY(o["seconds"].toDouble() > 0);
        QVERIFY(std::abs(o["mpix_per_s"].toDouble() - 256.0 * 256 * 2 / o["seconds"].toDouble() /
                                                          1e6) < 1e-3 * o["mpix_per_s"].toDouble());
        QVERIFY(o["peak_rss_bytes"].toDouble() > 256.0 * 256 * 2 * 4);
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
