// tileflow-mpi: N ranks fill one OME-Zarr store that is byte for byte the single process's;
// a failing rank fails the job with its message and leaves nothing; a rank killed part-way
// leaves no output that looks complete; a --batch list is shared among the ranks. Run with mpirun
// --oversubscribe (2 cores here), as root where CI runs as root (Open MPI's allow-run-as-root
// settings).
#include <signal.h>

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "cli_runner.hpp"
#include "file_tree.hpp"

using tileflow::testing::filesBelow;
using tileflow::testing::Outcome;
using tileflow::testing::runProgram;
using tileflow::testing::runTileflow;

namespace {

QProcessEnvironment mpiEnvironment() {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("OMPI_ALLOW_RUN_AS_ROOT", "1");
    env.insert("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
    // Containers often forbid the cross-process memory attach Open MPI tries first.
    env.insert("OMPI_MCA_btl_vader_single_copy_mechanism", "none");
    env.insert("OMP_NUM_THREADS", "1");
    // Under ASan, LeakSanitizer reports what Open MPI allocates and keeps until exit, mostly
    // in the components it loads and unloads itself, where no suppression can name it. The
    // ranks keep ASan's other checks; the library code they run is leak-checked in
    // test_ome_zarr_shards and test_cli.
    if (env.contains("ASAN_OPTIONS"))
        env.insert("ASAN_OPTIONS", env.value("ASAN_OPTIONS") + ":detect_leaks=0");
    return env;
}

QStringList mpirun(int ranks, const QStringList& args) {
    return QStringList{"--oversubscribe", "-n", QString::number(ranks), TILEFLOW_MPI_BINARY} + args;
}

Outcome runMpi(int ranks, const QStringList& args) {
    return runProgram(MPIEXEC, mpirun(ranks, args), mpiEnvironment(), 300000);
}

// What lies in `dir` besides `keep`.
QStringList othersIn(const QString& dir, const QStringList& keep) {
    QStringList entries =
        QDir(dir).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot);
    for (const QString& k : keep)
        entries.removeAll(k);
    return entries;
}

}  // namespace

class TestMpi : public QObject {
    Q_OBJECT

private slots:
    void ranksWriteTheSingleProcessStore_data() {
        QTest::addColumn<int>("ranks");
        QTest::addColumn<QString>("input");
        QTest::addColumn<QStringList>("options");
        QTest::newRow("2 ranks, gaussian")
            << 2 << "synthetic:700x450x2:u16:9"
            << QStringList{"--op", "gaussian", "--param", "sigma=2", "--out-tile", "128"};
        QTest::newRow("3 ranks, gaussian")
            << 3 << "synthetic:700x450x2:u16:9"
            << QStringList{"--op", "gaussian", "--param", "sigma=2", "--out-tile", "128"};
        QTest::newRow("3 ranks, stretch to u8 (global statistics)")
            << 3 << "synthetic:333x517x1:u16:4"
            << QStringList{"--op", "stretch", "--out-dtype", "u8", "--out-tile", "64"};
        QTest::newRow("2 ranks, blended sobel")
            << 2 << "synthetic:513x257x3:u8:2"
            << QStringList{"--op", "sobel",  "--mode", "blend",      "--overlap",
                           "8",    "--tile", "96",     "--out-tile", "128"};
    }
    void ranksWriteTheSingleProcessStore() {
        QFETCH(int, ranks);
        QFETCH(QString, input);
        QFETCH(QStringList, options);
        QTemporaryDir single, distributed;
        const QString one = single.filePath("out.zarr"), many = distributed.filePath("out.zarr");
        const Outcome reference = runTileflow(QStringList{"process", input, one, "-q"} + options);
        QVERIFY2(reference.exitCode == 0, qPrintable(reference.err));
        const Outcome r = runMpi(ranks, QStringList{"process", input, many} + options);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        QVERIFY2(r.out.contains(QString("on %1 ranks").arg(ranks)), qPrintable(r.out));
        // Rank 0 prints the job's progress from every rank's reports; the last line says all
        // are done.
        const QString done = QString("100% (ranks:") + QString(" 100%").repeated(ranks) + ")";
        QStringList progress;
        for (const QString& line : r.err.split('\n')) {
            if (line.contains("% (ranks:"))
                progress << line;
        }
        QVERIFY2(!progress.isEmpty() && progress.last().endsWith(done), qPrintable(r.err));
        const QMap<QString, QByteArray> expected = filesBelow(one), got = filesBelow(many);
        QVERIFY(expected.size() > 5);
        QCOMPARE(got.keys(), expected.keys());
        for (auto it = expected.begin(); it != expected.end(); ++it)
            QVERIFY2(got.value(it.key()) == it.value(), qPrintable(it.key()));
        QCOMPARE(othersIn(distributed.path(), {"out.zarr"}), QStringList());
    }

    // The last chunk of the input is corrupt: only the rank whose share reads it fails, and
    // the job fails with that rank's message and leaves no store.
    void aFailingRankFailsTheJobWithItsMessage() {
        QTemporaryDir dir;
        const QString input = dir.filePath("in.zarr"), output = dir.filePath("out.zarr");
        const Outcome made = runTileflow({"process", "synthetic:300x300x1:u8:3", input,
                                          "--out-tile", "64", "--compression", "zstd", "-q"});
        QVERIFY2(made.exitCode == 0, qPrintable(made.err));
        QFile chunk(input + "/0/0/4/4");
        QVERIFY(chunk.open(QIODevice::WriteOnly | QIODevice::Truncate));
        chunk.write("definitely not zstd");
        chunk.close();
        const Outcome r =
            runMpi(2, {"process", input, output, "--op", "sobel", "--out-tile", "64"});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("tileflow-mpi: rank 1: ") && r.err.contains("0/0/4/4"),
                 qPrintable(r.err));
        QVERIFY2(!r.err.contains("rank 0:"), qPrintable(r.err));
        QCOMPARE(othersIn(dir.path(), {"in.zarr"}), QStringList());
    }

    // Many files: the slides are shared among the ranks (each rank gets one here), each good
    // one is the store a single run writes, the broken one fails alone, and rank 0 sums up;
    // a rerun with --skip-existing writes only the missing output.
    void manyFilesShareTheRanksAndABrokenOneFailsAlone() {
        QTemporaryDir dir;
        const QStringList inputs{dir.filePath("big.tif"), dir.filePath("small.tif")};
        QCOMPARE(runTileflow({"process", "synthetic:640x480x2:u16:5", inputs[0], "-q"}).exitCode,
                 0);
        QCOMPARE(runTileflow({"process", "synthetic:200x150x2:u16:6", inputs[1], "-q"}).exitCode,
                 0);
        QFile broken(dir.filePath("broken.tif"));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write("II*");
        broken.close();
        QFile list(dir.filePath("list.txt"));
        QVERIFY(list.open(QIODevice::WriteOnly));
        list.write("big.tif\nbroken.tif\nsmall.tif\n");
        list.close();
        const QString out = dir.filePath("out");
        const Outcome r = runMpi(2, {"process", "--batch", list.fileName(), out, "--op", "gaussian",
                                     "--out-tile", "128"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.out.contains("batch: 2 of 3 written, 1 failed"), qPrintable(r.out));
        QVERIFY2(r.out.contains("FAILED     " + dir.filePath("broken.tif")), qPrintable(r.out));
        // Largest first: big.tif to rank 0, small.tif (the next largest) to rank 1.
        QVERIFY2(r.out.contains(", rank 0)") && r.out.contains(", rank 1)"), qPrintable(r.out));
        QCOMPARE(othersIn(out, {}), (QStringList{"big.zarr", "small.zarr"}));
        for (const QString& input : inputs) {
            // The store's name is in its metadata: the single run writes one of the same name.
            const QString name = QFileInfo(input).completeBaseName() + ".zarr";
            QTemporaryDir single;
            const QString reference = single.filePath(name);
            QCOMPARE(runTileflow({"process", input, reference, "--op", "gaussian", "--out-tile",
                                  "128", "-q"})
                         .exitCode,
                     0);
            QVERIFY2(filesBelow(out + "/" + name) == filesBelow(reference), qPrintable(name));
        }
        // Again with --skip-existing: the store there is kept, the removed one written again.
        QVERIFY(QDir(out + "/small.zarr").removeRecursively());
        const Outcome rerun = runMpi(2, {"process", "--batch", list.fileName(), out, "--op",
                                         "gaussian", "--out-tile", "128", "--skip-existing"});
        QCOMPARE(rerun.exitCode, 1);
        QVERIFY2(rerun.out.contains("batch: 1 of 3 written, 1 kept, 1 failed"),
                 qPrintable(rerun.out));
        QVERIFY2(rerun.out.contains("kept       " + inputs[0]), qPrintable(rerun.out));
        QVERIFY2(rerun.out.contains("written    " + inputs[1]), qPrintable(rerun.out));
        QCOMPARE(othersIn(out, {}), (QStringList{"big.zarr", "small.zarr"}));
    }

    void aKilledRankLeavesNoCompleteOutput() {
        QTemporaryDir dir;
        const QString output = dir.filePath("out.zarr");
        QProcess job;
        job.setProcessEnvironment(mpiEnvironment());
        job.start(MPIEXEC, mpirun(2, {"process", "synthetic:12000x12000x2:u16", output, "--op",
                                      "gaussian", "--param", "sigma=4"}));
        QVERIFY(job.waitForStarted());
        // Once the ranks are writing chunks into their store, kill one of them. The store is
        // prepared under a name of its own (out.zarr.mpi-<id>.tmp-...) and renamed: wait for
        // the store itself.
        const auto unfinishedStores = [&dir] {
            QStringList found = QDir(dir.path()).entryList({"out.zarr.mpi-*"}, QDir::Dirs);
            found.removeIf([](const QString& name) { return name.contains(".tmp-"); });
            return found;
        };
        QTRY_VERIFY_WITH_TIMEOUT(!unfinishedStores().isEmpty(), 60000);
        const QString store = dir.filePath(unfinishedStores().first());
        QTRY_VERIFY_WITH_TIMEOUT(QDir(store + "/0/0").exists(), 240000);  // slow when loaded
        Outcome ranks = runProgram(
            "pgrep", {"-f", "-P", QString::number(job.processId()), "tileflow-mpi process"});
        const QStringList pids = ranks.out.split('\n', Qt::SkipEmptyParts);
        QVERIFY2(pids.size() == 2, qPrintable(ranks.out));
        ::kill(pids.last().toInt(), SIGKILL);
        QVERIFY(job.waitForFinished(120000));
        QVERIFY(job.exitCode() != 0 || job.exitStatus() != QProcess::NormalExit);
        QVERIFY(!QFileInfo::exists(output));
        // What is left is the unfinished store under its temporary name, which no reader
        // takes for an image: it has no multiscales metadata.
        for (const QString& left : othersIn(dir.path(), {})) {
            QVERIFY2(left.startsWith("out.zarr.mpi-"), qPrintable(left));
            QFile attributes(dir.filePath(left) + "/.zattrs");
            QVERIFY(attributes.open(QIODevice::ReadOnly));
            QVERIFY(!attributes.readAll().contains("multiscales"));
        }
    }
};

QTEST_GUILESS_MAIN(TestMpi)
#include "test_mpi.moc"
