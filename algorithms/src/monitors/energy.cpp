#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>
#include <fstream>

#include "tileflow/error.hpp"
#include "tileflow/monitors.hpp"

namespace tileflow {

namespace {

constexpr double kJoulesPerKilowattHour = 3.6e6;
constexpr double kCounterReadInterval = 1.0;  // seconds between readings on tile ends
constexpr std::string_view kLogHeader =
    "timestamp,run_name,duration_s,energy_kwh,emissions_kg,grid_intensity_gco2e_per_kwh,"
    "status\n";

std::optional<std::string> firstLine(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::string line;
    if (!std::getline(in, line)) {
        return std::nullopt;
    }
    return line;
}

std::optional<std::uint64_t> readCounter(const std::filesystem::path& file) {
    const std::optional<std::string> text = firstLine(file);
    if (!text) {
        return std::nullopt;
    }
    const char* end = text->data() + text->size();
    std::uint64_t value = 0;
    const auto [stop, ec] = std::from_chars(text->data(), end, value);
    if (ec != std::errc() || std::find_if_not(stop, end, [](char c) { return c == ' '; }) != end) {
        return std::nullopt;
    }
    return value;
}

// "intel-rapl:N": a package zone, as opposed to subzones "intel-rapl:N:M".
bool isTopLevelZone(std::string_view dir) {
    constexpr std::string_view kPrefix = "intel-rapl:";
    if (!dir.starts_with(kPrefix) || dir.size() == kPrefix.size()) {
        return false;
    }
    dir.remove_prefix(kPrefix.size());
    return std::all_of(dir.begin(), dir.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Shortest round-trip digits in plain notation ("0.0004", not "4e-04"), for spreadsheets.
std::string number(double value) {
    char buffer[512];
    auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
    if (result.ec != std::errc()) {
        result = std::to_chars(buffer, buffer + sizeof buffer, value);
    }
    return std::string(buffer, result.ptr);
}

std::string optionalNumber(const std::optional<double>& value) {
    return value ? number(*value) : std::string();
}

std::string csvField(const std::string& text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) {
        return text;
    }
    std::string quoted = "\"";
    for (char c : text) {
        if (c == '"') {
            quoted += '"';
        }
        quoted += c;
    }
    return quoted + '"';
}

std::string utcTimestamp() {
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm utc{};
    gmtime_r(&now, &utc);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return buffer;
}

std::ofstream openForAppend(const std::filesystem::path& file) {
    std::ofstream out(file, std::ios::app);
    if (!out) {
        throw IoError("cannot open the energy log '" + file.string() + "' for appending");
    }
    return out;
}

void finishWrite(std::ofstream& out, const std::filesystem::path& file) {
    out.flush();
    if (!out) {
        throw IoError("cannot write to the energy log '" + file.string() + "'");
    }
}

}  // namespace

EnergyMonitor::EnergyMonitor(EnergyOptions options) : options_(std::move(options)) {
    if (!std::isfinite(options_.gridIntensity) || options_.gridIntensity < 0) {
        throw InvalidArgument(
            "the grid intensity must be a non-negative number of gCO2e/kWh, not " +
            std::to_string(options_.gridIntensity));
    }
    std::error_code ec;
    std::filesystem::directory_iterator it(options_.powercapRoot, ec);
    bool allReadable = true;
    for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
        const std::filesystem::path dir = it->path();
        if (!isTopLevelZone(dir.filename().string())) {
            continue;
        }
        Zone zone{firstLine(dir / "name").value_or(dir.filename().string()), dir / "energy_uj", 0};
        if (zone.name == "psys") {
            continue;
        }
        const std::optional<std::uint64_t> range = readCounter(dir / "max_energy_range_uj");
        if (!range || *range == 0 || !readCounter(zone.counter)) {
            allReadable = false;
            continue;
        }
        zone.range = *range;
        zones_.push_back(std::move(zone));
    }
    // A partial sum would understate the energy: without every package there is none.
    if (ec || !allReadable) {
        zones_.clear();
    }
    std::sort(zones_.begin(), zones_.end(),
              [](const Zone& a, const Zone& b) { return a.name < b.name; });
}

std::vector<std::string> EnergyMonitor::zoneNames() const {
    std::vector<std::string> names;
    for (const Zone& z : zones_) {
        names.push_back(z.name);
    }
    return names;
}

std::optional<EnergyMonitor::Report> EnergyMonitor::report() const {
    std::lock_guard lock(mutex_);
    return report_;
}

void EnergyMonitor::onStart(const RunStats& stats) {
    openLog();
    std::lock_guard lock(mutex_);
    report_.reset();
    microjoules_ = 0;
    startedAt_ = lastReadAt_ = stats.elapsedSeconds;
    std::optional<std::vector<std::uint64_t>> counters;
    if (!zones_.empty()) {
        counters = readCounters();
    }
    measuring_ = counters.has_value();
    if (counters) {
        last_ = std::move(*counters);
    }
}

void EnergyMonitor::onEnd(const RunStats& stats) {
    Report finished;
    {
        std::lock_guard lock(mutex_);
        accumulate(stats.elapsedSeconds);
        finished = finish(stats);
    }
    appendLog(finished);
}

void EnergyMonitor::onError(std::string_view, const RunStats& stats) {
    std::lock_guard lock(mutex_);
    accumulate(stats.elapsedSeconds);
    finish(stats);
}

void EnergyMonitor::onChunkEnd(const Rect&, const RunStats& stats) {
    std::lock_guard lock(mutex_);
    accumulate(stats.elapsedSeconds);
}

void EnergyMonitor::onTileEnd(const Tile&, double, const RunStats& stats) {
    std::lock_guard lock(mutex_);
    if (stats.elapsedSeconds - lastReadAt_ >= kCounterReadInterval) {
        accumulate(stats.elapsedSeconds);
    }
}

std::optional<std::vector<std::uint64_t>> EnergyMonitor::readCounters() const {
    std::vector<std::uint64_t> values;
    for (const Zone& z : zones_) {
        const std::optional<std::uint64_t> v = readCounter(z.counter);
        if (!v) {
            return std::nullopt;
        }
        values.push_back(*v);
    }
    return values;
}

void EnergyMonitor::accumulate(double elapsedSeconds) {
    if (!measuring_) {
        return;
    }
    lastReadAt_ = elapsedSeconds;
    const std::optional<std::vector<std::uint64_t>> now = readCounters();
    if (!now) {
        measuring_ = false;
        return;
    }
    for (std::size_t i = 0; i < zones_.size(); ++i) {
        const std::uint64_t before = last_[i];
        const std::uint64_t after = (*now)[i];
        if (after >= before) {
            microjoules_ += after - before;
        } else if (before <= zones_[i].range) {
            microjoules_ += after + (zones_[i].range - before);
        } else {
            measuring_ = false;  // a counter beyond its own range: nothing to trust
            return;
        }
    }
    last_ = *now;
}

EnergyMonitor::Report EnergyMonitor::finish(const RunStats& stats) {
    Report r;
    r.durationSeconds = stats.elapsedSeconds - startedAt_;
    r.gridIntensity = options_.gridIntensity;
    if (measuring_) {
        r.joules = static_cast<double>(microjoules_) / 1e6;
        r.kilowattHours = *r.joules / kJoulesPerKilowattHour;
        r.emissionsKg = *r.kilowattHours * options_.gridIntensity / 1000.0;
    }
    measuring_ = false;
    report_ = r;
    return r;
}

void EnergyMonitor::openLog() const {
    const std::filesystem::path& file = options_.csvLog;
    if (file.empty()) {
        return;
    }
    std::error_code ec;
    const bool fresh = std::filesystem::file_size(file, ec) == 0 || ec;
    std::ofstream out = openForAppend(file);
    if (fresh) {
        out << kLogHeader;
    }
    finishWrite(out, file);
}

void EnergyMonitor::appendLog(const Report& report) const {
    const std::filesystem::path& file = options_.csvLog;
    if (file.empty()) {
        return;
    }
    std::ofstream out = openForAppend(file);
    out << utcTimestamp() << ',' << csvField(options_.runName) << ','
        << number(report.durationSeconds) << ',' << optionalNumber(report.kilowattHours) << ','
        << optionalNumber(report.emissionsKg) << ',' << number(report.gridIntensity) << ','
        << (report.joules ? "measured" : "unavailable") << '\n';
    finishWrite(out, file);
}

}  // namespace tileflow
