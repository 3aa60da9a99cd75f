/// @file
/// Monitors: ready-made Callbacks to attach to a run.
///
/// @code
///   tileflow::ProgressMonitor progress("sobel", [](const std::string& line) {
///       std::cerr << line << '\n';
///   });
///   tileflow::MetricsMonitor metrics;
///   tileflow::CompositeMonitor all{&progress, &metrics};
///   tileflow::Image edges = flow.run(image, tileflow::RunControl{&all});
///   double p95 = *metrics.summary().latencyP95Seconds;
/// @endcode
///
/// Units
///   - Time in seconds, memory in bytes, energy in joules (and kWh where said), grid intensity
///     in grams of CO2-equivalent per kWh, emissions in kilograms of CO2-equivalent.
///   - A megapixel (MP) is 10^6 channel-pixels: RunStats::pixelsDone * RunStats::channels, so
///     a 3-channel image counts three times its area.
///   - Rates, ETA and throttling intervals use the run's own clock, RunStats::elapsedSeconds,
///     and count all passes of the run (statistics passes and the processing pass).
///
/// Lifecycle: every monitor resets at onStart, so one object can watch several runs one
/// after the other. It must not be attached to two runs at the same time.
///
/// Thread-safety: the engine serialises callbacks, so callback calls never race each other
/// and need no lock. The accessors (status(), summary(), report()...) may additionally be
/// called from any other thread at any time, also while a run is going (a GUI timer polling
/// progress): each monitor guards its state with a mutex of its own, held only for a few
/// instructions by each callback and each accessor, and accessors return consistent copies.
/// CompositeMonitor::add() and destroying a monitor must not overlap a run it is attached to.
/// A ProgressMonitor's line sink is called on the engine's worker thread from inside a
/// callback, without the monitor's lock held (so it may call the accessors); keep it short,
/// it holds up the workers.
///
/// Errors: bad constructor arguments throw tileflow::InvalidArgument. An energy log that
/// cannot be written throws tileflow::IoError from the callback, which fails the run (the
/// log is opened at onStart, so this happens before any work). Facts that cannot be measured
/// on this machine (RSS without /proc, energy without readable RAPL counters) are reported as
/// empty optionals, never estimated.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tileflow/engine.hpp"

namespace tileflow {

/// Progress of a run: fraction done, rates and an estimate of the time left; optionally
/// prints a one-line status, e.g. "sobel 41% 120/286 tiles 350.2 MP/s ETA 3.1 s".
class ProgressMonitor : public Callbacks {
public:
    /// Receives each status line, without a line break.
    using LineSink = std::function<void(const std::string&)>;
    /// Where the watched run is.
    enum class Phase {
        Idle,      ///< no run started yet
        Running,   ///< between onStart and onEnd or onError
        Finished,  ///< the run ended (onEnd)
        Failed     ///< the run failed or was cancelled (onError)
    };

    /// A snapshot of the run's progress; counts and rates cover all passes.
    struct Status {
        Phase phase = Phase::Idle;       ///< where the run is
        int pass = 0;                    ///< 0-based, of `passes`
        int passes = 1;                  ///< statistics passes + 1
        std::int64_t tilesDone = 0;      ///< RunStats::tilesDone
        std::int64_t tilesTotal = 0;     ///< RunStats::tilesTotal
        double fraction = 0;             ///< tilesDone / tilesTotal, in [0, 1]
        double elapsedSeconds = 0;       ///< run time so far
        double tilesPerSecond = 0;       ///< tilesDone / elapsedSeconds
        double megapixelsPerSecond = 0;  ///< channel-pixels, see the units above
        /// Time left at the rate so far; empty until a tile is done, 0 once finished.
        std::optional<double> etaSeconds;
        std::string error;  ///< the message of onError when phase is Failed
    };

    /// Tracks progress without printing.
    ProgressMonitor() = default;
    /// Also hands `sink` a status line, prefixed by `label` (may be empty), at most once per
    /// `interval` of run time on tile and chunk ends, and a final line at the end or on error.
    ProgressMonitor(std::string label, LineSink sink,
                    std::chrono::milliseconds interval = std::chrono::milliseconds(500));

    /// The progress now; callable from any thread.
    Status status() const;
    /// The line the sink would be given now. The percentage is rounded down, so 100% means
    /// finished.
    std::string statusLine() const;

    void onStart(const RunStats& stats) override;
    void onEnd(const RunStats& stats) override;
    void onError(std::string_view message, const RunStats& stats) override;
    void onChunkEnd(const Rect& chunk, const RunStats& stats) override;
    void onTileEnd(const Tile& tile, double seconds, const RunStats& stats) override;

private:
    Status statusLocked() const;
    std::string lineLocked() const;
    void printIfDue(const RunStats& stats);
    void printLine(std::unique_lock<std::mutex>& lock);

    std::string label_;
    LineSink sink_;
    double intervalSeconds_ = 0;

    mutable std::mutex mutex_;
    RunStats stats_;
    Phase phase_ = Phase::Idle;
    std::string error_;
    double lastLineAt_ = 0;
};

/// Throughput and per-tile latency of a run. Latency percentiles are exact: every tile's
/// time (the `seconds` of onTileEnd, the operation's work on that tile) is kept, one double
/// per tile of the run.
class MetricsMonitor : public Callbacks {
public:
    /// Throughput and latency so far.
    struct Summary {
        std::int64_t tiles = 0;          ///< tiles finished
        double totalSeconds = 0;         ///< run time so far; the whole run once it has ended
        double tilesPerSecond = 0;       ///< tiles / totalSeconds
        double megapixelsPerSecond = 0;  ///< channel-pixels, see the units above
        /// Nearest-rank percentiles of the tile times; empty while no tile has finished.
        std::optional<double> latencyP50Seconds;
        std::optional<double> latencyP95Seconds;  ///< see latencyP50Seconds
        std::optional<double> latencyMaxSeconds;  ///< the slowest tile
    };

    /// The figures now; callable from any thread.
    Summary summary() const;
    /// The nearest-rank p-th percentile, p in [0, 100]: the smallest recorded tile time that
    /// at least p% of the tiles do not exceed (p = 0 gives the minimum). Empty while no tile
    /// has finished; p outside [0, 100] throws InvalidArgument.
    std::optional<double> latencyPercentile(double p) const;

    void onStart(const RunStats& stats) override;
    void onEnd(const RunStats& stats) override;
    void onError(std::string_view message, const RunStats& stats) override;
    void onTileEnd(const Tile& tile, double seconds, const RunStats& stats) override;

private:
    mutable std::mutex mutex_;
    RunStats stats_;
    std::vector<double> latencies_;
};

/// Resident memory of a process, from the VmRSS and VmHWM lines of `/proc/<pid>/status`.
struct ProcessMemory {
    std::int64_t rssBytes = 0;      ///< resident set size now
    std::int64_t peakRssBytes = 0;  ///< highest resident set size since the process started
};

/// Memory of the calling process; empty where /proc/self/status is not available.
std::optional<ProcessMemory> processMemory();
/// Memory read from a file in `/proc/<pid>/status` format; empty when it cannot be read or
/// lacks either line.
std::optional<ProcessMemory> processMemory(const std::filesystem::path& statusFile);

/// Process memory and the memory the engine itself holds. Process memory is sampled at the
/// start, at every chunk end, at the end or error, and on tile ends at most once per
/// `sampleInterval` of run time (reading /proc for every tile would cost more than small
/// tiles do). The engine's figures come with every callback's RunStats and cost nothing.
class MemoryMonitor : public Callbacks {
public:
    /// Memory readings so far.
    struct Summary {
        std::int64_t samples = 0;                 ///< successful process memory readings
        std::optional<ProcessMemory> atStart;     ///< reading at onStart
        std::optional<ProcessMemory> latest;      ///< latest successful reading
        std::optional<std::int64_t> maxRssBytes;  ///< largest RSS among the readings
        std::int64_t engineBytes = 0;             ///< RunStats::engineBytes of the last callback
        std::int64_t enginePeakBytes = 0;  ///< RunStats::enginePeakBytes of the last callback
    };

    /// Samples process memory from `statusFile` (tests point it at a fake) at most once per
    /// `sampleInterval` on tile ends; a negative interval throws InvalidArgument.
    explicit MemoryMonitor(std::chrono::milliseconds sampleInterval = std::chrono::milliseconds(50),
                           std::filesystem::path statusFile = "/proc/self/status");

    /// The readings now; callable from any thread.
    Summary summary() const;

    void onStart(const RunStats& stats) override;
    void onEnd(const RunStats& stats) override;
    void onError(std::string_view message, const RunStats& stats) override;
    void onChunkEnd(const Rect& chunk, const RunStats& stats) override;
    void onTileEnd(const Tile& tile, double seconds, const RunStats& stats) override;

private:
    void sample(const RunStats& stats);

    double intervalSeconds_;
    std::filesystem::path statusFile_;

    mutable std::mutex mutex_;
    Summary summary_;
    double lastSampleAt_ = 0;
};

/// What EnergyMonitor measures and where it logs.
struct EnergyOptions {
    std::string runName;  ///< the run_name column of the log
    /// Grams of CO2-equivalent per kWh of electricity. The default, 475, is the world average
    /// published by the IEA that codecarbon uses when it knows no better; set your grid's.
    double gridIntensity = 475.0;
    /// When set, each completed run appends one row to this CSV file (created with a header
    /// line when absent or empty): timestamp (UTC, ISO 8601), run_name, duration_s,
    /// energy_kwh, emissions_kg, grid_intensity_gco2e_per_kwh, status ("measured" or
    /// "unavailable"; the energy and emissions fields are empty when unavailable).
    std::filesystem::path csvLog;
    /// Where the powercap zones are; tests point this at a fake tree.
    std::filesystem::path powercapRoot = "/sys/class/powercap";
};

/// Energy of a run from Linux powercap/RAPL counters, and the CO2 it stands for.
///
/// Counts the top-level RAPL zones `<root>/intel-rapl:N` (the CPU packages; also used by AMD
/// CPUs), whose energy_uj counts microjoules and wraps at max_energy_range_uj. Subzones
/// (intel-rapl:N:M, parts of a package), the MMIO duplicates (intel-rapl-mmio:N) and "psys"
/// zones (the whole platform, which contains the packages) are left out so nothing counts
/// twice. Counters are read at the start, at chunk ends, on tile ends at most once a second
/// and at the end; a wrap between two readings is undone with the zone's range.
///
/// Energy is available only where every zone's counter can be read: not in most virtual
/// machines, and on recent kernels only as root. Otherwise joules, kWh and emissions stay
/// empty, and a failed reading during a run makes that run's energy empty too.
/// Emissions = kWh * gridIntensity / 1000 kg, from measured energy only.
class EnergyMonitor : public Callbacks {
public:
    /// The energy of one run; the optionals are empty when it could not be measured.
    struct Report {
        double durationSeconds = 0;           ///< run time
        std::optional<double> joules;         ///< energy of the counted zones
        std::optional<double> kilowattHours;  ///< joules / 3.6e6
        std::optional<double> emissionsKg;    ///< kilograms of CO2-equivalent
        double gridIntensity = 0;             ///< gCO2e/kWh used
    };

    /// Finds the RAPL zones under options.powercapRoot. A negative or non-finite
    /// gridIntensity throws InvalidArgument.
    explicit EnergyMonitor(EnergyOptions options = {});

    /// True when readable counters were found at construction.
    bool available() const { return !zones_.empty(); }
    /// The zones counted, by their powercap name (e.g. "package-0").
    std::vector<std::string> zoneNames() const;
    /// The measurement of the run that ended or failed last; empty before the first run has
    /// ended and while a run is going.
    std::optional<Report> report() const;

    void onStart(const RunStats& stats) override;
    void onEnd(const RunStats& stats) override;
    void onError(std::string_view message, const RunStats& stats) override;
    void onChunkEnd(const Rect& chunk, const RunStats& stats) override;
    void onTileEnd(const Tile& tile, double seconds, const RunStats& stats) override;

private:
    struct Zone {
        std::string name;
        std::filesystem::path counter;
        std::uint64_t range = 0;
    };

    std::optional<std::vector<std::uint64_t>> readCounters() const;
    void accumulate(double elapsedSeconds);
    Report finish(const RunStats& stats);
    void openLog() const;
    void appendLog(const Report& report) const;

    EnergyOptions options_;
    std::vector<Zone> zones_;

    mutable std::mutex mutex_;
    bool measuring_ = false;  // counters read successfully since the start of this run
    std::vector<std::uint64_t> last_;
    std::uint64_t microjoules_ = 0;
    double startedAt_ = 0;
    double lastReadAt_ = 0;
    std::optional<Report> report_;
};

/// Forwards every callback to each of its monitors, in the order they were added. The
/// monitors are borrowed and must outlive the runs. An exception from one monitor propagates
/// at once (the remaining ones are not called) and fails the run.
class CompositeMonitor : public Callbacks {
public:
    /// No monitors yet; add() them.
    CompositeMonitor() = default;
    /// add() for each of `monitors`, in order.
    CompositeMonitor(std::initializer_list<Callbacks*> monitors);

    /// Appends a monitor; null or the composite itself throws InvalidArgument.
    void add(Callbacks* monitor);
    /// Number of monitors.
    std::size_t size() const { return monitors_.size(); }

    void onStart(const RunStats& stats) override;
    void onEnd(const RunStats& stats) override;
    void onError(std::string_view message, const RunStats& stats) override;
    void onChunkStart(const Rect& chunk, const RunStats& stats) override;
    void onChunkEnd(const Rect& chunk, const RunStats& stats) override;
    void onTileStart(const Tile& tile, const RunStats& stats) override;
    void onTileEnd(const Tile& tile, double seconds, const RunStats& stats) override;
    void onTileResult(const Tile& tile, ConstImageView input, ConstImageView result,
                      const RunStats& stats) override;

private:
    std::vector<Callbacks*> monitors_;
};

}  // namespace tileflow
