#include <algorithm>
#include <charconv>
#include <fstream>

#include "tileflow/error.hpp"
#include "tileflow/monitors.hpp"

namespace tileflow {

namespace {

// The byte count of a "Key:   1234 kB" line, when `line` starts with `key`.
std::optional<std::int64_t> kilobytesField(std::string_view line, std::string_view key) {
    if (!line.starts_with(key)) {
        return std::nullopt;
    }
    line.remove_prefix(key.size());
    const auto digits = line.find_first_not_of(" \t");
    if (digits == std::string_view::npos) {
        return std::nullopt;
    }
    line.remove_prefix(digits);
    std::int64_t kb = 0;
    const auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), kb);
    if (ec != std::errc() || std::string_view(end, line.data() + line.size()) != " kB") {
        return std::nullopt;
    }
    return kb * 1024;
}

}  // namespace

std::optional<ProcessMemory> processMemory() {
    return processMemory("/proc/self/status");
}

std::optional<ProcessMemory> processMemory(const std::filesystem::path& statusFile) {
    std::ifstream in(statusFile);
    std::optional<std::int64_t> rss;
    std::optional<std::int64_t> peak;
    for (std::string line; std::getline(in, line);) {
        if (auto v = kilobytesField(line, "VmRSS:")) {
            rss = v;
        }
        if (auto v = kilobytesField(line, "VmHWM:")) {
            peak = v;
        }
    }
    if (!rss || !peak) {
        return std::nullopt;
    }
    return ProcessMemory{*rss, *peak};
}

MemoryMonitor::MemoryMonitor(std::chrono::milliseconds sampleInterval,
                             std::filesystem::path statusFile)
    : intervalSeconds_(std::chrono::duration<double>(sampleInterval).count()),
      statusFile_(std::move(statusFile)) {
    if (sampleInterval.count() < 0) {
        throw InvalidArgument("the memory sample interval must not be negative");
    }
}

MemoryMonitor::Summary MemoryMonitor::summary() const {
    std::lock_guard lock(mutex_);
    return summary_;
}

void MemoryMonitor::onStart(const RunStats& stats) {
    std::lock_guard lock(mutex_);
    summary_ = {};
    sample(stats);
    summary_.atStart = summary_.latest;
}

void MemoryMonitor::onEnd(const RunStats& stats) {
    std::lock_guard lock(mutex_);
    sample(stats);
}

void MemoryMonitor::onError(std::string_view, const RunStats& stats) {
    std::lock_guard lock(mutex_);
    sample(stats);
}

void MemoryMonitor::onChunkEnd(const Rect&, const RunStats& stats) {
    std::lock_guard lock(mutex_);
    sample(stats);
}

void MemoryMonitor::onTileEnd(const Tile&, double, const RunStats& stats) {
    std::lock_guard lock(mutex_);
    summary_.engineBytes = stats.engineBytes;
    summary_.enginePeakBytes = stats.enginePeakBytes;
    if (stats.elapsedSeconds - lastSampleAt_ >= intervalSeconds_) {
        sample(stats);
    }
}

void MemoryMonitor::sample(const RunStats& stats) {
    summary_.engineBytes = stats.engineBytes;
    summary_.enginePeakBytes = stats.enginePeakBytes;
    lastSampleAt_ = stats.elapsedSeconds;
    const std::optional<ProcessMemory> reading = processMemory(statusFile_);
    if (!reading) {
        return;
    }
    ++summary_.samples;
    summary_.latest = reading;
    summary_.maxRssBytes = std::max(summary_.maxRssBytes.value_or(0), reading->rssBytes);
}

}  // namespace tileflow
