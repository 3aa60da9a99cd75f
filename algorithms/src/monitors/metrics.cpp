#include <algorithm>
#include <cmath>

#include "rates.hpp"
#include "tileflow/error.hpp"
#include "tileflow/monitors.hpp"

namespace tileflow {

namespace {

// Nearest rank of an ascending, non-empty list; exact p * n / 100 for whole-number p.
double nearestRank(const std::vector<double>& sorted, double p) {
    const auto n = static_cast<double>(sorted.size());
    const double rank = std::clamp(std::ceil(p * n / 100.0), 1.0, n);
    return sorted[static_cast<std::size_t>(rank) - 1];
}

void checkPercentile(double p) {
    if (!(p >= 0 && p <= 100)) {
        throw InvalidArgument("a latency percentile must lie in [0, 100], not " +
                              std::to_string(p));
    }
}

}  // namespace

MetricsMonitor::Summary MetricsMonitor::summary() const {
    std::vector<double> sorted;
    Summary s;
    {
        std::lock_guard lock(mutex_);
        sorted = latencies_;
        s.tiles = stats_.tilesDone;
        s.totalSeconds = stats_.elapsedSeconds;
        s.tilesPerSecond = detail::tilesPerSecond(stats_);
        s.megapixelsPerSecond = detail::megapixelsPerSecond(stats_);
    }
    if (!sorted.empty()) {
        std::sort(sorted.begin(), sorted.end());
        s.latencyP50Seconds = nearestRank(sorted, 50);
        s.latencyP95Seconds = nearestRank(sorted, 95);
        s.latencyMaxSeconds = sorted.back();
    }
    return s;
}

std::optional<double> MetricsMonitor::latencyPercentile(double p) const {
    checkPercentile(p);
    std::vector<double> sorted;
    {
        std::lock_guard lock(mutex_);
        sorted = latencies_;
    }
    if (sorted.empty()) {
        return std::nullopt;
    }
    std::sort(sorted.begin(), sorted.end());
    return nearestRank(sorted, p);
}

void MetricsMonitor::onStart(const RunStats& stats) {
    std::lock_guard lock(mutex_);
    stats_ = stats;
    latencies_.clear();
    latencies_.reserve(static_cast<std::size_t>(std::max<std::int64_t>(0, stats.tilesTotal)));
}

void MetricsMonitor::onEnd(const RunStats& stats) {
    std::lock_guard lock(mutex_);
    stats_ = stats;
}

void MetricsMonitor::onError(std::string_view, const RunStats& stats) {
    std::lock_guard lock(mutex_);
    stats_ = stats;
}

void MetricsMonitor::onTileEnd(const Tile&, double seconds, const RunStats& stats) {
    std::lock_guard lock(mutex_);
    stats_ = stats;
    latencies_.push_back(seconds);
}

}  // namespace tileflow
