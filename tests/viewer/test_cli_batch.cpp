// tileflow process --batch: the list, the sharing of slides by size, and the binary run on a
// list where one slide is broken and one missing (they fail alone; the others are written
// exactly as single runs write them), and a rerun that keeps the outputs already there.
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include "cli/batch.hpp"
#include "cli_runner.hpp"
#include "tileflow/error.hpp"

using namespace tileflow;
using tileflow::testing::Outcome;
using tileflow::testing::runTileflow;

namespace {

void writeFile(const QString& path, const QByteArray& text) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(text);
}

QByteArray contents(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

}  // namespace

class TestCliBatch : public QObject {
    Q_OBJECT

private slots:
    // Largest first to the least loaded worker; worked by hand: 50->0, 40->1, 30->1 (40 < 50),
    // 20->0 (50 < 70), 10->0 (70 = 70: the lower worker).
    void sharesSlidesLargestFirst() {
        QCOMPARE(cli::assignLargestFirst({10, 50, 30, 20, 40}, 2),
                 (std::vector<int>{0, 0, 1, 0, 1}));
        QCOMPARE(cli::assignLargestFirst({10, 50, 30}, 1), (std::vector<int>{0, 0, 0}));
        QCOMPARE(cli::assignLargestFirst({5, 5, 5}, 4), (std::vector<int>{0, 1, 2}));
        // Unreadable inputs (size 0) still spread out instead of piling onto one worker.
        QCOMPARE(cli::assignLargestFirst({0, 0, 0, 0}, 2), (std::vector<int>{0, 1, 0, 1}));
    }

    void readsTheListBesideItsFolder() {
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkpath("slides/sub"));
        writeFile(dir.filePath("slides/sub/b.ome.tif"), QByteArray(100, 'x'));
        writeFile(dir.filePath("slides/list.txt"), "# slides of the week\n\n  sub/b.ome.tif  \n" +
                                                       dir.filePath("a.svs").toUtf8() +
                                                       "\nplate.zarr/\n");
        const std::vector<cli::BatchItem> items =
            cli::readBatchList(dir.filePath("slides/list.txt").toStdString(), "out", ".zarr");
        QCOMPARE(items.size(), std::size_t{3});
        QCOMPARE(QString::fromStdString(items[0].input), dir.filePath("slides/sub/b.ome.tif"));
        QCOMPARE(QString::fromStdString(items[0].output), QDir::current().filePath("out/b.zarr"));
        QCOMPARE(items[0].bytes, std::uintmax_t{100});
        QCOMPARE(QString::fromStdString(items[1].input), dir.filePath("a.svs"));
        QCOMPARE(QString::fromStdString(items[1].output), QDir::current().filePath("out/a.zarr"));
        QCOMPARE(items[1].bytes, std::uintmax_t{0});  // missing: it fails when its turn comes
        QCOMPARE(QString::fromStdString(items[2].output),
                 QDir::current().filePath("out/plate.zarr"));
    }

    void refusesListsThatCannotWork() {
        QTemporaryDir dir;
        const std::string list = dir.filePath("list.txt").toStdString();
        QVERIFY_THROWS_EXCEPTION(IoError, cli::readBatchList(list, "out", ".zarr"));
        writeFile(dir.filePath("a.tif"), "II*");
        writeFile(dir.filePath("list.txt"), "a.tif\n");  // its output would be itself
        QVERIFY_THROWS_EXCEPTION(InvalidArgument,
                                 cli::readBatchList(list, dir.path().toStdString(), ".tif"));
        writeFile(dir.filePath("list.txt"), "# nothing\n\n");
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, cli::readBatchList(list, "out", ".zarr"));
        writeFile(dir.filePath("list.txt"), "a/slide.svs\nb/slide.ndpi\n");
        try {
            cli::readBatchList(list, "out", ".zarr");
            QFAIL("two inputs writing out/slide.zarr were accepted");
        } catch (const InvalidArgument& e) {
            QVERIFY2(QString(e.what()).contains("out/slide.zarr"), e.what());
        }
    }

    void outcomesAndItemsSurviveTheirTextForm() {
        const std::vector<cli::BatchOutcome> outcomes{
            {cli::BatchOutcome::Status::Written, "", 1.25},
            {cli::BatchOutcome::Status::Failed, "cannot read 'a\tb': bad\nthings", 0.5},
            {cli::BatchOutcome::Status::Cancelled, "", 0}};
        const std::vector<cli::BatchOutcome> back =
            cli::decodeOutcomes(cli::encodeOutcomes(outcomes));
        QCOMPARE(back.size(), outcomes.size());
        for (std::size_t i = 0; i < back.size(); ++i) {
            QVERIFY(back[i].status == outcomes[i].status);
            QCOMPARE(back[i].message, outcomes[i].message);
            QCOMPARE(back[i].seconds, outcomes[i].seconds);
        }
        const std::vector<cli::BatchItem> items{{"in 1.tif", "out/in 1.zarr", 12}, {"", "x", 0}};
        const std::vector<cli::BatchItem> itemsBack = cli::decodeItems(cli::encodeItems(items));
        QCOMPARE(itemsBack.size(), items.size());
        for (std::size_t i = 0; i < items.size(); ++i) {
            QCOMPARE(itemsBack[i].input, items[i].input);
            QCOMPARE(itemsBack[i].output, items[i].output);
            QCOMPARE(itemsBack[i].bytes, items[i].bytes);
        }
    }

    // Two good slides, one broken, one missing: the good ones are written exactly as single
    // runs write them, each bad one fails alone with its name, and the run exits 1.
    void aBadSlideFailsOnlyItself() {
        QTemporaryDir dir;
        const QString a = dir.filePath("a.npy"), b = dir.filePath("b.ome.tif");
        QCOMPARE(runTileflow({"process", "synthetic:300x200x1:u16:3", a, "-q"}).exitCode, 0);
        QCOMPARE(runTileflow({"process", "synthetic:500x400x1:u16:4", b, "-q"}).exitCode, 0);
        writeFile(dir.filePath("broken.tif"), "II*");  // a TIFF header cut short
        writeFile(dir.filePath("list.txt"), "a.npy\nbroken.tif\nmissing.npy\nb.ome.tif\n");
        const QString out = dir.filePath("out");
        const Outcome r = runTileflow({"process", "--batch", dir.filePath("list.txt"), out, "--op",
                                       "sobel", "--out-suffix", ".npy"});
        QVERIFY2(r.exitCode == 1, qPrintable(r.err + r.out));
        QVERIFY2(r.out.contains("batch: 2 of 4 written, 2 failed"), qPrintable(r.out));
        QVERIFY2(r.out.contains("FAILED     " + dir.filePath("broken.tif")), qPrintable(r.out));
        QVERIFY2(r.out.contains("FAILED     " + dir.filePath("missing.npy")), qPrintable(r.out));
        QVERIFY2(r.out.contains("written    " + a + " -> " + out + "/a.npy"), qPrintable(r.out));
        QVERIFY2(r.err.contains("2 of 4 slides failed"), qPrintable(r.err));
        QCOMPARE(QDir(out).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
                 (QStringList{"a.npy", "b.npy"}));
        for (const QString& input : {a, b}) {
            const QString single = dir.filePath("single.npy");
            QCOMPARE(runTileflow({"process", input, single, "--op", "sobel", "-q"}).exitCode, 0);
            const QString name = QFileInfo(input).baseName() + ".npy";
            QVERIFY2(contents(out + "/" + name) == contents(single), qPrintable(name));
        }
    }

    // A batch run again with --skip-existing keeps each output there (even one unlike what it
    // would write) and writes only the missing ones; without it, every output is written again.
    void aRerunWithSkipExistingWritesOnlyWhatIsMissing() {
        QTemporaryDir dir;
        const QString a = dir.filePath("a.npy"), b = dir.filePath("b.npy");
        QCOMPARE(runTileflow({"process", "synthetic:300x200x1:u16:3", a, "-q"}).exitCode, 0);
        QCOMPARE(runTileflow({"process", "synthetic:200x300x1:u16:4", b, "-q"}).exitCode, 0);
        writeFile(dir.filePath("list.txt"), "a.npy\nb.npy\n");
        const QString out = dir.filePath("out");
        const QStringList batch{
            "process",      "--batch", dir.filePath("list.txt"), out, "--op", "sobel",
            "--out-suffix", ".npy",    "--skip-existing",        "-q"};
        QCOMPARE(runTileflow(batch).exitCode, 0);
        const QByteArray bWritten = contents(out + "/b.npy");
        QVERIFY(!bWritten.isEmpty());
        writeFile(out + "/a.npy", "stale");
        QVERIFY(QFile::remove(out + "/b.npy"));

        const Outcome rerun = runTileflow(batch);
        QVERIFY2(rerun.exitCode == 0, qPrintable(rerun.err + rerun.out));
        QVERIFY2(rerun.out.contains("kept       " + a + " -> " + out + "/a.npy (there already)"),
                 qPrintable(rerun.out));
        QVERIFY2(rerun.out.contains("written    " + b + " -> " + out + "/b.npy"),
                 qPrintable(rerun.out));
        QVERIFY2(rerun.out.contains("batch: 1 of 2 written, 1 kept, 0 failed\n"),
                 qPrintable(rerun.out));
        QCOMPARE(contents(out + "/a.npy"), QByteArray("stale"));
        QCOMPARE(contents(out + "/b.npy"), bWritten);

        QStringList again = batch;
        again.removeAll("--skip-existing");
        QCOMPARE(runTileflow(again).exitCode, 0);
        QVERIFY(contents(out + "/a.npy") != QByteArray("stale"));

        // Ranks share only what is left to do: a kept slide costs nothing.
        std::vector<cli::BatchItem> items{
            {a.toStdString(), (out + "/a.npy").toStdString(), 10},
            {b.toStdString(), dir.filePath("none.npy").toStdString(), 20}};
        cli::discountKeptOutputs(items);
        QCOMPARE(items[0].bytes, std::uintmax_t(0));
        QCOMPARE(items[1].bytes, std::uintmax_t(20));

        QCOMPARE(runTileflow({"process", a, dir.filePath("c.npy"), "--skip-existing"}).exitCode, 2);
    }

    // A mistake that every slide would make fails the run once, before any slide.
    void aBadOperationFailsTheRunOnce() {
        QTemporaryDir dir;
        writeFile(dir.filePath("list.txt"), "synthetic.npy\n");
        const Outcome r = runTileflow({"process", "--batch", dir.filePath("list.txt"),
                                       dir.filePath("out"), "--op", "no-such-op"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("no-such-op"), qPrintable(r.err));
        QVERIFY(!r.out.contains("FAILED"));
        QCOMPARE(runTileflow({"process", "--batch", dir.filePath("list.txt"), "a", "b"}).exitCode,
                 2);
        QCOMPARE(runTileflow({"process", "--batch", dir.filePath("list.txt"), "out", "--out-suffix",
                              ".png"})
                     .exitCode,
                 2);
        QCOMPARE(runTileflow({"process", "in.npy", "out.npy", "--out-suffix", ".npy"}).exitCode, 2);
        QVERIFY(!QFileInfo::exists(dir.filePath("out")));
    }
};

QTEST_GUILESS_MAIN(TestCliBatch)
#include "test_cli_batch.moc"
