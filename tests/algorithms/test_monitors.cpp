// The shipped monitors: progress, metrics, memory, energy and composite, driven with
// hand-made stats whose figures are known exactly, plus one real engine run.
#include <QtTest>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <numeric>
#include <random>
#include <set>
#include <vector>

#include "tileflow/error.hpp"
#include "tileflow/grid.hpp"
#include "tileflow/monitors.hpp"
#include "tileflow/registry.hpp"

using namespace tileflow;
using namespace std::chrono_literals;

namespace {

RunStats stats(std::int64_t done, std::int64_t total, double elapsed, std::int64_t pixels = 0,
               int channels = 1) {
    RunStats s;
    s.tilesDone = done;
    s.tilesTotal = total;
    s.elapsedSeconds = elapsed;
    s.pixelsDone = pixels;
    s.channels = channels;
    return s;
}

QString qs(const std::string& s) {
    return QString::fromStdString(s);
}

Tile tile(std::int64_t index) {
    Tile t;
    t.index = index;
    return t;
}

void writeFile(const QString& path, const QByteArray& content) {
    QFile f(path);
    QVERIFY2(f.open(QIODevice::WriteOnly | QIODevice::Truncate), qPrintable(path));
    QCOMPARE(f.write(content), qint64(content.size()));
}

QStringList readLines(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        return {};
    }
    return QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
}

// A powercap tree like /sys/class/powercap, in a temporary folder.
class FakeRapl {
public:
    void zone(const QString& dir, const QByteArray& name, quint64 energy, quint64 range) {
        QVERIFY(QDir(root_.path()).mkpath(dir));
        writeFile(root_.filePath(dir + "/name"), name + "\n");
        writeFile(root_.filePath(dir + "/max_energy_range_uj"), QByteArray::number(range) + "\n");
        setEnergy(dir, energy);
    }
    void setEnergy(const QString& dir, quint64 energy) {
        writeFile(root_.filePath(dir + "/energy_uj"), QByteArray::number(energy) + "\n");
    }
    std::filesystem::path root() const { return root_.path().toStdString(); }
    QString filePath(const QString& name) const { return root_.filePath(name); }

private:
    QTemporaryDir root_;
};

// Records callbacks as text, e.g. "A:start", "A:tileEnd 3".
class Recorder : public Callbacks {
public:
    Recorder(std::string name, std::vector<std::string>& log) : name_(std::move(name)), log_(log) {}
    void onStart(const RunStats&) override { add("start"); }
    void onEnd(const RunStats&) override { add("end"); }
    void onError(std::string_view m, const RunStats&) override { add("error " + std::string(m)); }
    void onChunkStart(const Rect&, const RunStats&) override { add("chunkStart"); }
    void onChunkEnd(const Rect&, const RunStats&) override { add("chunkEnd"); }
    void onTileStart(const Tile& t, const RunStats&) override {
        add("tileStart " + std::to_string(t.index));
    }
    void onTileEnd(const Tile& t, double, const RunStats&) override {
        add("tileEnd " + std::to_string(t.index));
    }
    void onTileResult(const Tile& t, ConstImageView input, ConstImageView result,
                      const RunStats&) override {
        add("tileResult " + std::to_string(t.index) + " " + std::to_string(input.channels()) + " " +
            std::to_string(result.channels()));
    }

private:
    void add(const std::string& event) { log_.push_back(name_ + ":" + event); }
    std::string name_;
    std::vector<std::string>& log_;
};

// Checks that the engine really serialises callbacks while recording their order.
class OrderChecker : public Callbacks {
public:
    void onStart(const RunStats&) override { enter("start", -1); }
    void onEnd(const RunStats& s) override {
        enter("end", -1);
        last = s;
    }
    void onError(std::string_view, const RunStats&) override { enter("error", -1); }
    void onChunkStart(const Rect&, const RunStats&) override { enter("chunkStart", -1); }
    void onChunkEnd(const Rect&, const RunStats&) override { enter("chunkEnd", -1); }
    void onTileStart(const Tile& t, const RunStats&) override { enter("tileStart", t.index); }
    void onTileEnd(const Tile& t, double, const RunStats&) override { enter("tileEnd", t.index); }

    std::vector<std::pair<std::string, std::int64_t>> events;
    int overlaps = 0;
    RunStats last;

private:
    void enter(const char* what, std::int64_t index) {
        if (inside_.exchange(true)) {
            ++overlaps;
        }
        events.emplace_back(what, index);
        inside_.store(false);
    }
    std::atomic<bool> inside_{false};
};

}  // namespace

class TestMonitors : public QObject {
    Q_OBJECT

private slots:
    void progressFiguresFromKnownStats() {
        ProgressMonitor p;
        QCOMPARE(p.status().phase, ProgressMonitor::Phase::Idle);
        p.onStart(stats(0, 286, 0.0));
        QCOMPARE(p.status().phase, ProgressMonitor::Phase::Running);
        QVERIFY(!p.status().etaSeconds);  // no tile done: no rate to extrapolate
        // 120 of 286 tiles in 2 s; 1'000'000 pixels of 3 channels = 3 MP in 2 s.
        p.onTileEnd(tile(119), 0.01, stats(120, 286, 2.0, 1'000'000, 3));
        const ProgressMonitor::Status s = p.status();
        QCOMPARE(s.tilesDone, std::int64_t{120});
        QCOMPARE(s.tilesTotal, std::int64_t{286});
        QCOMPARE(s.fraction, 120.0 / 286.0);
        QCOMPARE(s.tilesPerSecond, 60.0);
        QCOMPARE(s.megapixelsPerSecond, 1.5);
        QVERIFY(s.etaSeconds);
        QCOMPARE(*s.etaSeconds, 2.0 * 166.0 / 120.0);  // 166 tiles left at 60 tiles/s
        QCOMPARE(qs(p.statusLine()), QString("41% 120/286 tiles 1.5 MP/s ETA 2.8 s"));

        p.onEnd(stats(286, 286, 5.0, 2'000'000, 3));
        QCOMPARE(p.status().phase, ProgressMonitor::Phase::Finished);
        QCOMPARE(p.status().fraction, 1.0);
        QCOMPARE(*p.status().etaSeconds, 0.0);
        QCOMPARE(qs(p.statusLine()), QString("100% 286/286 tiles 1.2 MP/s done in 5.0 s"));

        // A new run starts from scratch.
        p.onStart(stats(0, 10, 0.0));
        QCOMPARE(p.status().phase, ProgressMonitor::Phase::Running);
        QCOMPARE(p.status().tilesDone, std::int64_t{0});
        QVERIFY(!p.status().etaSeconds);
    }

    void progressLineIsThrottled() {
        std::vector<std::string> lines;
        ProgressMonitor p(
            "sobel", [&](const std::string& l) { lines.push_back(l); }, 100ms);
        p.onStart(stats(0, 8, 0.0));
        const std::vector<double> ends{0.03, 0.06, 0.09, 0.12, 0.15, 0.20, 0.25};
        for (std::size_t i = 0; i < ends.size(); ++i) {
            const auto done = static_cast<std::int64_t>(i + 1);
            p.onTileEnd(tile(done - 1), 0.03, stats(done, 8, ends[i], done * 1'000'000));
        }
        // Lines at 0.12 s (first >= 0.1 s after the start) and 0.25 s (>= 0.1 s after that).
        QCOMPARE(lines.size(), std::size_t{2});
        QCOMPARE(qs(lines[0]), QString("sobel 50% 4/8 tiles 33.3 MP/s ETA 0.1 s"));
        QCOMPARE(qs(lines[1]), QString("sobel 87% 7/8 tiles 28.0 MP/s ETA 0.0 s"));
        // A chunk end counts like a tile end; the final line is never throttled.
        p.onChunkEnd({}, stats(7, 8, 0.30, 7'000'000));
        QCOMPARE(lines.size(), std::size_t{2});
        p.onEnd(stats(8, 8, 0.32, 8'000'000));
        QCOMPARE(lines.size(), std::size_t{3});
        QCOMPARE(qs(lines[2]), QString("sobel 100% 8/8 tiles 25.0 MP/s done in 0.3 s"));
    }

    void progressZeroIntervalPrintsEveryTile() {
        int lines = 0;
        ProgressMonitor p(
            "x", [&](const std::string&) { ++lines; }, 0ms);
        p.onStart(stats(0, 5, 0.0));
        for (std::int64_t i = 0; i < 5; ++i) {
            p.onTileEnd(tile(i), 0.0, stats(i + 1, 5, 0.0));
        }
        QCOMPARE(lines, 5);
    }

    void progressFailureAndPassesInTheLine() {
        std::vector<std::string> lines;
        ProgressMonitor p("stretch", [&](const std::string& l) { lines.push_back(l); });
        RunStats s = stats(0, 20, 0.0);
        s.passes = 2;
        p.onStart(s);
        s = stats(15, 20, 1.5);
        s.passes = 2;
        s.pass = 1;
        QCOMPARE(qs(p.statusLine()), QString("stretch pass 1/2 0% 0/20 tiles 0.0 MP/s ETA --"));
        p.onError("tile 15 failed", s);
        QCOMPARE(p.status().phase, ProgressMonitor::Phase::Failed);
        QCOMPARE(p.status().error, std::string("tile 15 failed"));
        QVERIFY(!p.status().etaSeconds);
        QCOMPARE(lines.size(), std::size_t{1});
        QCOMPARE(qs(lines[0]),
                 QString("stretch pass 2/2 failed at 75% 15/20 tiles after 1.5 s: tile 15 failed"));
    }

    void progressSinkMayCallAccessors() {
        ProgressMonitor* self = nullptr;
        std::int64_t seen = -1;
        ProgressMonitor p(
            "x", [&](const std::string&) { seen = self->status().tilesDone; }, 0ms);
        self = &p;
        p.onStart(stats(0, 3, 0.0));
        p.onTileEnd(tile(0), 0.0, stats(1, 3, 0.1));
        QCOMPARE(seen, std::int64_t{1});
    }

    void progressRefusesBadArguments() {
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, ProgressMonitor("x", nullptr));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, ProgressMonitor(
                                                      "x", [](const std::string&) {}, -1ms));
    }

    void metricsPercentilesAreExact() {
        // Tile times 1..100 ms in shuffled order. Nearest rank: p50 is the 50th smallest
        // (50 ms), p95 the 95th (95 ms), the maximum 100 ms.
        std::vector<int> ms(100);
        std::iota(ms.begin(), ms.end(), 1);
        std::shuffle(ms.begin(), ms.end(), std::mt19937(7));
        MetricsMonitor m;
        QVERIFY(!m.summary().latencyP50Seconds);
        QVERIFY(!m.latencyPercentile(50));
        m.onStart(stats(0, 100, 0.0));
        for (std::size_t i = 0; i < ms.size(); ++i) {
            const auto done = static_cast<std::int64_t>(i + 1);
            m.onTileEnd(tile(done - 1), ms[i] / 1000.0,
                        stats(done, 100, 0.04 * static_cast<double>(done)));
        }
        // 100 tiles in 4 s; 2'000'000 pixels of 2 channels = 4 MP in 4 s.
        m.onEnd(stats(100, 100, 4.0, 2'000'000, 2));
        const MetricsMonitor::Summary s = m.summary();
        QCOMPARE(s.tiles, std::int64_t{100});
        QCOMPARE(s.totalSeconds, 4.0);
        QCOMPARE(s.tilesPerSecond, 25.0);
        QCOMPARE(s.megapixelsPerSecond, 1.0);
        QCOMPARE(*s.latencyP50Seconds, 0.050);
        QCOMPARE(*s.latencyP95Seconds, 0.095);
        QCOMPARE(*s.latencyMaxSeconds, 0.100);
        QCOMPARE(*m.latencyPercentile(0), 0.001);
        QCOMPARE(*m.latencyPercentile(1), 0.001);
        QCOMPARE(*m.latencyPercentile(99), 0.099);
        QCOMPARE(*m.latencyPercentile(100), 0.100);
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, m.latencyPercentile(-1));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, m.latencyPercentile(101));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, m.latencyPercentile(std::nan("")));
    }

    void metricsOddCountsAndRestart() {
        MetricsMonitor m;
        m.onStart(stats(0, 5, 0.0));
        const std::vector<double> times{0.5, 0.1, 0.4, 0.2, 0.3};
        for (std::size_t i = 0; i < times.size(); ++i) {
            const auto done = static_cast<std::int64_t>(i + 1);
            m.onTileEnd(tile(done - 1), times[i], stats(done, 5, 1.0));
        }
        // n = 5: p50 has rank ceil(2.5) = 3, p95 rank ceil(4.75) = 5.
        QCOMPARE(*m.summary().latencyP50Seconds, 0.3);
        QCOMPARE(*m.summary().latencyP95Seconds, 0.5);
        QCOMPARE(*m.latencyPercentile(20), 0.1);
        QCOMPARE(*m.latencyPercentile(21), 0.2);
        // A failed run keeps what it recorded; the next run starts empty.
        m.onError("boom", stats(5, 5, 1.0));
        QCOMPARE(m.summary().tiles, std::int64_t{5});
        m.onStart(stats(0, 3, 0.0));
        QVERIFY(!m.summary().latencyMaxSeconds);
        m.onTileEnd(tile(0), 0.25, stats(1, 3, 0.5));
        QCOMPARE(*m.summary().latencyMaxSeconds, 0.25);
        QCOMPARE(*m.summary().latencyP50Seconds, 0.25);
    }

    void processMemoryReadsStatusFiles() {
        QTemporaryDir dir;
        const QString status = dir.filePath("status");
        writeFile(status,
                  "Name:\ttest\nVmPeak:\t  999 kB\nVmHWM:\t    4096 kB\n"
                  "VmRSS:\t    2048 kB\nThreads:\t3\n");
        const std::optional<ProcessMemory> m = processMemory(status.toStdString());
        QVERIFY(m);
        QCOMPARE(m->rssBytes, std::int64_t{2048} * 1024);
        QCOMPARE(m->peakRssBytes, std::int64_t{4096} * 1024);

        writeFile(status, "Name:\ttest\nVmRSS:\t    2048 kB\n");  // no VmHWM
        QVERIFY(!processMemory(status.toStdString()));
        QVERIFY(!processMemory(dir.filePath("absent").toStdString()));

        const std::optional<ProcessMemory> self = processMemory();
        QVERIFY(self);
        QVERIFY(self->rssBytes > 0);
        QVERIFY(self->peakRssBytes >= self->rssBytes);
    }

    void memoryMonitorSamplesSparingly() {
        QTemporaryDir dir;
        const QString status = dir.filePath("status");
        auto setRss = [&](int kb, int peakKb) {
            writeFile(status, "VmHWM:\t" + QByteArray::number(peakKb) + " kB\nVmRSS:\t" +
                                  QByteArray::number(kb) + " kB\n");
        };
        MemoryMonitor m(50ms, status.toStdString());
        auto withEngine = [](RunStats s, std::int64_t held, std::int64_t peak) {
            s.engineBytes = held;
            s.enginePeakBytes = peak;
            return s;
        };
        setRss(1000, 1000);
        m.onStart(withEngine(stats(0, 10, 0.0), 0, 0));  // sample 1
        setRss(3000, 3000);
        m.onTileEnd(tile(0), 0.01, withEngine(stats(1, 10, 0.01), 100, 100));
        m.onTileEnd(tile(1), 0.01, withEngine(stats(2, 10, 0.04), 200, 300));
        QCOMPARE(m.summary().samples, std::int64_t{1});  // under 50 ms since the last sample
        QCOMPARE(m.summary().latest->rssBytes, std::int64_t{1000} * 1024);
        QCOMPARE(m.summary().engineBytes, std::int64_t{200});  // engine figures are free
        QCOMPARE(m.summary().enginePeakBytes, std::int64_t{300});
        m.onTileEnd(tile(2), 0.01, withEngine(stats(3, 10, 0.06), 50, 300));  // sample 2
        QCOMPARE(m.summary().samples, std::int64_t{2});
        QCOMPARE(m.summary().latest->rssBytes, std::int64_t{3000} * 1024);
        setRss(2000, 3500);
        m.onTileEnd(tile(3), 0.01, withEngine(stats(4, 10, 0.08), 50, 300));
        m.onChunkEnd({}, withEngine(stats(4, 10, 0.09), 0, 300));  // sample 3: chunk ends always
        QCOMPARE(m.summary().samples, std::int64_t{3});
        m.onEnd(withEngine(stats(10, 10, 0.1), 0, 400));  // sample 4
        const MemoryMonitor::Summary s = m.summary();
        QCOMPARE(s.samples, std::int64_t{4});
        QCOMPARE(s.atStart->rssBytes, std::int64_t{1000} * 1024);
        QCOMPARE(s.latest->rssBytes, std::int64_t{2000} * 1024);
        QCOMPARE(s.latest->peakRssBytes, std::int64_t{3500} * 1024);
        QCOMPARE(*s.maxRssBytes, std::int64_t{3000} * 1024);
        QCOMPARE(s.engineBytes, std::int64_t{0});
        QCOMPARE(s.enginePeakBytes, std::int64_t{400});
    }

    void memoryMonitorWithoutProcReportsNothing() {
        MemoryMonitor m(50ms, "/nonexistent/status");
        m.onStart(stats(0, 1, 0.0));
        m.onEnd(stats(1, 1, 1.0));
        QCOMPARE(m.summary().samples, std::int64_t{0});
        QVERIFY(!m.summary().atStart);
        QVERIFY(!m.summary().latest);
        QVERIFY(!m.summary().maxRssBytes);
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, MemoryMonitor(-1ms));
    }

    void energyFromFakeRaplTree() {
        FakeRapl rapl;
        rapl.zone("intel-rapl:0", "package-0", 1'000'000, 262'143'328'850);
        rapl.zone("intel-rapl:1", "package-1", 5'000'000, 262'143'328'850);
        // Left out: a subzone inside package 0, the MMIO duplicate, the platform zone, and
        // the control-type folder itself.
        rapl.zone("intel-rapl:0:0", "core", 0, 262'143'328'850);
        rapl.zone("intel-rapl-mmio:0", "package-0", 0, 262'143'328'850);
        rapl.zone("intel-rapl:2", "psys", 0, 262'143'328'850);
        QVERIFY(QDir(rapl.filePath("")).mkpath("intel-rapl"));

        EnergyMonitor e({.runName = "sobel", .gridIntensity = 400, .powercapRoot = rapl.root()});
        QVERIFY(e.available());
        QCOMPARE(e.zoneNames(), (std::vector<std::string>{"package-0", "package-1"}));
        QVERIFY(!e.report());
        e.onStart(stats(0, 4, 0.5));
        // 2000 J on package 0, 1600 J on package 1: 3600 J = 0.001 kWh.
        rapl.setEnergy("intel-rapl:0", 2'001'000'000);
        rapl.setEnergy("intel-rapl:1", 1'605'000'000);
        rapl.setEnergy("intel-rapl:0:0", 999'000'000);
        rapl.setEnergy("intel-rapl-mmio:0", 999'000'000);
        rapl.setEnergy("intel-rapl:2", 999'000'000);
        e.onEnd(stats(4, 4, 3.0));
        const std::optional<EnergyMonitor::Report> r = e.report();
        QVERIFY(r);
        QCOMPARE(r->durationSeconds, 2.5);
        QCOMPARE(*r->joules, 3600.0);
        QCOMPARE(*r->kilowattHours, 0.001);
        QCOMPARE(*r->emissionsKg, 0.001 * 400 / 1000);  // 0.4 g
        QCOMPARE(r->gridIntensity, 400.0);
    }

    void energyCountersWrapAround() {
        // A counter that wraps at 1000 J, read often enough to see every wrap.
        FakeRapl rapl;
        rapl.zone("intel-rapl:0", "package-0", 900'000'000, 1'000'000'000);
        EnergyMonitor e({.powercapRoot = rapl.root()});
        e.onStart(stats(0, 3, 0.0));
        rapl.setEnergy("intel-rapl:0", 100'000'000);  // wrapped: 100 J + 100 J
        e.onChunkEnd({}, stats(1, 3, 1.0));
        rapl.setEnergy("intel-rapl:0", 950'000'000);  // 850 J
        e.onTileEnd(tile(1), 0.1, stats(2, 3, 1.5));  // under a second since the last read
        e.onTileEnd(tile(2), 0.1, stats(3, 3, 2.0));  // read
        rapl.setEnergy("intel-rapl:0", 50'000'000);   // wrapped: 50 J + 50 J
        e.onEnd(stats(3, 3, 2.5));
        QCOMPARE(*e.report()->joules, 1150.0);  // more than the counter's range
        QCOMPARE(*e.report()->kilowattHours, 1150.0 / 3.6e6);
        QCOMPARE(*e.report()->emissionsKg, 1150.0 / 3.6e6 * 475 / 1000);  // default intensity
    }

    void energyUnavailableIsNeverInvented() {
        QTemporaryDir empty;
        EnergyMonitor none({.powercapRoot = empty.filePath("no-such-folder").toStdString()});
        QVERIFY(!none.available());
        QVERIFY(none.zoneNames().empty());
        none.onStart(stats(0, 1, 0.0));
        none.onEnd(stats(1, 1, 2.0));
        QVERIFY(none.report());
        QCOMPARE(none.report()->durationSeconds, 2.0);
        QVERIFY(!none.report()->joules);
        QVERIFY(!none.report()->kilowattHours);
        QVERIFY(!none.report()->emissionsKg);

        // One unreadable package makes the whole sum unavailable, not a smaller number.
        FakeRapl partial;
        partial.zone("intel-rapl:0", "package-0", 10, 1'000'000);
        partial.zone("intel-rapl:1", "package-1", 10, 1'000'000);
        writeFile(partial.filePath("intel-rapl:1/energy_uj"), "not a number\n");
        QVERIFY(!EnergyMonitor({.powercapRoot = partial.root()}).available());

        // A counter that becomes unreadable during a run voids that run only.
        FakeRapl flaky;
        flaky.zone("intel-rapl:0", "package-0", 10, 1'000'000);
        EnergyMonitor e({.powercapRoot = flaky.root()});
        QVERIFY(e.available());
        e.onStart(stats(0, 2, 0.0));
        QVERIFY(QFile::remove(flaky.filePath("intel-rapl:0/energy_uj")));
        e.onChunkEnd({}, stats(1, 2, 1.0));
        flaky.setEnergy("intel-rapl:0", 20);
        e.onEnd(stats(2, 2, 2.0));
        QVERIFY(!e.report()->joules);
        e.onStart(stats(0, 1, 0.0));
        QVERIFY(!e.report());  // nothing until the run ends
        flaky.setEnergy("intel-rapl:0", 30);
        e.onEnd(stats(1, 1, 1.0));
        QCOMPARE(*e.report()->joules, 10e-6);
    }

    void energyLogHasOneRowPerRun() {
        FakeRapl rapl;
        rapl.zone("intel-rapl:0", "package-0", 0, 262'143'328'850);
        const QString log = rapl.filePath("emissions.csv");
        EnergyMonitor e({.runName = "sobel, 512px \"fast\"",
                         .gridIntensity = 400,
                         .csvLog = log.toStdString(),
                         .powercapRoot = rapl.root()});
        e.onStart(stats(0, 1, 0.0));
        rapl.setEnergy("intel-rapl:0", 3'600'000'000);  // 3600 J
        e.onEnd(stats(1, 1, 2.5));

        EnergyMonitor none({.runName = "gaussian",
                            .csvLog = log.toStdString(),
                            .powercapRoot = rapl.filePath("absent").toStdString()});
        none.onStart(stats(0, 1, 0.0));
        none.onError("failed", stats(0, 1, 0.5));  // failed runs are not logged
        none.onStart(stats(0, 1, 0.0));
        none.onEnd(stats(1, 1, 1.25));

        const QStringList lines = readLines(log);
        QCOMPARE(lines.size(), 3);
        QCOMPARE(lines[0], QString("timestamp,run_name,duration_s,energy_kwh,emissions_kg,"
                                   "grid_intensity_gco2e_per_kwh,status"));
        const QRegularExpression timestamp("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ,");
        QVERIFY2(timestamp.match(lines[1]).hasMatch(), qPrintable(lines[1]));
        QVERIFY2(timestamp.match(lines[2]).hasMatch(), qPrintable(lines[2]));
        QCOMPARE(lines[1].section(',', 1),
                 QString("\"sobel, 512px \"\"fast\"\"\",2.5,0.001,0.0004,400,measured"));
        QCOMPARE(lines[2].section(',', 1), QString("gaussian,1.25,,,475,unavailable"));
    }

    void energyRefusesBadSettings() {
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, EnergyMonitor({.gridIntensity = -1}));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, EnergyMonitor({.gridIntensity = std::nan("")}));
        QTemporaryDir dir;
        // The log is opened at the start, so a bad path fails the run before any work.
        EnergyMonitor e({.csvLog = dir.filePath("missing/emissions.csv").toStdString()});
        QVERIFY_THROWS_EXCEPTION(IoError, e.onStart(stats(0, 1, 0.0)));
    }

    void compositeForwardsInOrder() {
        std::vector<std::string> log;
        Recorder a("A", log);
        Recorder b("B", log);
        CompositeMonitor c{&a, &b};
        Recorder d("D", log);
        c.add(&d);
        QCOMPARE(c.size(), std::size_t{3});
        const RunStats s = stats(0, 1, 0.0);
        c.onStart(s);
        c.onChunkStart({}, s);
        c.onTileStart(tile(4), s);
        const Image input(DType::U8, 3, 2, 2), result(DType::F32, 1, 2, 2);
        c.onTileResult(tile(4), input, result, s);
        c.onTileEnd(tile(4), 0.1, s);
        c.onChunkEnd({}, s);
        c.onError("oops", s);
        c.onEnd(s);
        // Each callback reaches A, B and D in turn before the next callback starts.
        std::vector<std::string> expected;
        for (const char* event : {"start", "chunkStart", "tileStart 4", "tileResult 4 3 1",
                                  "tileEnd 4", "chunkEnd", "error oops", "end"}) {
            for (const char* name : {"A", "B", "D"}) {
                expected.push_back(std::string(name) + ":" + event);
            }
        }
        QCOMPARE(log, expected);
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, c.add(nullptr));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, c.add(&c));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, (CompositeMonitor{&a, nullptr}));
    }

    void monitorsWatchARealRun() {
        Image image(DType::U8, 3, 200, 150);
        for (int c = 0; c < 3; ++c) {
            for (std::int64_t y = 0; y < image.height(); ++y) {
                auto* row = image.view().row<std::uint8_t>(c, y);
                for (std::int64_t x = 0; x < image.width(); ++x) {
                    row[x] = static_cast<std::uint8_t>(
                        (x * 7 + y * 13 + static_cast<std::int64_t>(c) * 50) % 256);
                }
            }
        }
        auto op = createOperation("sobel");
        const Grid grid(image.size(), {{64, 64}, op->radius()});
        QCOMPARE(grid.count(), std::int64_t{12});

        OrderChecker order;
        std::vector<std::string> lines;
        ProgressMonitor progress(
            "sobel", [&](const std::string& l) { lines.push_back(l); }, 0ms);
        MetricsMonitor metrics;
        MemoryMonitor memory;
        EnergyMonitor energy;
        CompositeMonitor all{&order, &progress, &metrics, &memory, &energy};
        const Image out =
            TileFlow({.tile = {64, 64}, .threads = 2}).configure(op).run(image, RunControl{&all});
        QCOMPARE(out.size(), image.size());

        QCOMPARE(order.overlaps, 0);
        QVERIFY(order.events.size() >= 2);
        QCOMPARE(order.events.front().first, std::string("start"));
        QCOMPARE(order.events.back().first, std::string("end"));
        std::set<std::int64_t> started;
        std::set<std::int64_t> ended;
        int openChunks = 0;
        for (const auto& [what, index] : order.events) {
            if (what == "tileStart") {
                QVERIFY(started.insert(index).second);
                QCOMPARE(openChunks, 1);
            } else if (what == "tileEnd") {
                QVERIFY2(started.count(index) == 1, "a tile ended before it started");
                QVERIFY(ended.insert(index).second);
            } else if (what == "chunkStart") {
                QCOMPARE(++openChunks, 1);
            } else if (what == "chunkEnd") {
                QCOMPARE(--openChunks, 0);
            } else {
                QVERIFY(what == "start" || what == "end");
            }
        }
        QCOMPARE(static_cast<std::int64_t>(ended.size()), grid.count());
        QCOMPARE(started, ended);
        QCOMPARE(order.last.tilesDone, grid.count());
        QCOMPARE(order.last.tilesTotal, grid.count());
        QCOMPARE(order.last.pixelsDone, image.size().area());

        const ProgressMonitor::Status p = progress.status();
        QCOMPARE(p.phase, ProgressMonitor::Phase::Finished);
        QCOMPARE(p.tilesDone, grid.count());
        QCOMPARE(p.fraction, 1.0);
        // Interval 0: a line per tile, one at the chunk end, and the final line.
        QCOMPARE(lines.size(), static_cast<std::size_t>(grid.count() + 2));
        QVERIFY2(QString::fromStdString(lines.back()).startsWith("sobel 100% 12/12 tiles "),
                 lines.back().c_str());

        const MetricsMonitor::Summary m = metrics.summary();
        QCOMPARE(m.tiles, grid.count());
        QVERIFY(m.totalSeconds > 0);
        QVERIFY(*m.latencyP50Seconds <= *m.latencyP95Seconds);
        QVERIFY(*m.latencyP95Seconds <= *m.latencyMaxSeconds);
        QVERIFY(*m.latencyMaxSeconds <= m.totalSeconds);
        QVERIFY(m.megapixelsPerSecond > 0);

        const MemoryMonitor::Summary mem = memory.summary();
        QVERIFY(mem.samples >= 3);  // start, the chunk end, the end
        QVERIFY(mem.latest->rssBytes > 0);
        QVERIFY(mem.latest->peakRssBytes >= *mem.maxRssBytes);

        QVERIFY(energy.report());
        QCOMPARE(energy.report()->joules.has_value(), energy.available());
    }
};

QTEST_APPLESS_MAIN(TestMonitors)
#include "test_monitors.moc"
