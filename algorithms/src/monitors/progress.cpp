#include <algorithm>
#include <cmath>
#include <cstdio>

#include "rates.hpp"
#include "tileflow/error.hpp"
#include "tileflow/monitors.hpp"

namespace tileflow {

namespace {

std::string format(const char* pattern, double value) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, pattern, value);
    return buffer;
}

}  // namespace

ProgressMonitor::ProgressMonitor(std::string label, LineSink sink,
                                 std::chrono::milliseconds interval)
    : label_(std::move(label)),
      sink_(std::move(sink)),
      intervalSeconds_(std::chrono::duration<double>(interval).count()) {
    if (!sink_) {
        throw InvalidArgument("ProgressMonitor needs a line sink to print to");
    }
    if (interval.count() < 0) {
        throw InvalidArgument("the progress line interval must not be negative");
    }
}

ProgressMonitor::Status ProgressMonitor::status() const {
    std::lock_guard lock(mutex_);
    return statusLocked();
}

ProgressMonitor::Status ProgressMonitor::statusLocked() const {
    Status s;
    s.phase = phase_;
    s.pass = stats_.pass;
    s.passes = stats_.passes;
    s.tilesDone = stats_.tilesDone;
    s.tilesTotal = stats_.tilesTotal;
    s.elapsedSeconds = stats_.elapsedSeconds;
    s.tilesPerSecond = detail::tilesPerSecond(stats_);
    s.megapixelsPerSecond = detail::megapixelsPerSecond(stats_);
    s.error = error_;
    if (stats_.tilesTotal > 0) {
        s.fraction = std::min(
            1.0, static_cast<double>(stats_.tilesDone) / static_cast<double>(stats_.tilesTotal));
    } else if (phase_ == Phase::Finished) {
        s.fraction = 1;
    }
    if (phase_ == Phase::Finished) {
        s.etaSeconds = 0.0;
    } else if (phase_ == Phase::Running && stats_.tilesDone > 0 && stats_.elapsedSeconds > 0) {
        const auto left =
            static_cast<double>(std::max<std::int64_t>(0, stats_.tilesTotal - stats_.tilesDone));
        s.etaSeconds = stats_.elapsedSeconds * left / static_cast<double>(stats_.tilesDone);
    }
    return s;
}

std::string ProgressMonitor::statusLine() const {
    std::lock_guard lock(mutex_);
    return lineLocked();
}

std::string ProgressMonitor::lineLocked() const {
    const Status s = statusLocked();
    std::string line = label_.empty() ? "" : label_ + " ";
    if (s.passes > 1) {
        line += "pass " + std::to_string(s.pass + 1) + "/" + std::to_string(s.passes) + " ";
    }
    if (s.phase == Phase::Failed) {
        line += "failed at ";
    }
    line += std::to_string(static_cast<int>(std::floor(s.fraction * 100))) + "% " +
            std::to_string(s.tilesDone) + "/" + std::to_string(s.tilesTotal) + " tiles";
    switch (s.phase) {
        case Phase::Idle:
            break;
        case Phase::Running:
            line += format(" %.1f MP/s", s.megapixelsPerSecond);
            line += s.etaSeconds ? format(" ETA %.1f s", *s.etaSeconds) : " ETA --";
            break;
        case Phase::Finished:
            line += format(" %.1f MP/s", s.megapixelsPerSecond) +
                    format(" done in %.1f s", s.elapsedSeconds);
            break;
        case Phase::Failed:
            line += format(" after %.1f s: ", s.elapsedSeconds) + s.error;
            break;
    }
    return line;
}

void ProgressMonitor::onStart(const RunStats& stats) {
    std::lock_guard lock(mutex_);
    stats_ = stats;
    phase_ = Phase::Running;
    error_.clear();
    lastLineAt_ = stats.elapsedSeconds;
}

void ProgressMonitor::onEnd(const RunStats& stats) {
    std::unique_lock lock(mutex_);
    stats_ = stats;
    phase_ = Phase::Finished;
    printLine(lock);
}

void ProgressMonitor::onError(std::string_view message, const RunStats& stats) {
    std::unique_lock lock(mutex_);
    stats_ = stats;
    phase_ = Phase::Failed;
    error_ = message;
    printLine(lock);
}

void ProgressMonitor::onChunkEnd(const Rect&, const RunStats& stats) {
    printIfDue(stats);
}

void ProgressMonitor::onTileEnd(const Tile&, double, const RunStats& stats) {
    printIfDue(stats);
}

void ProgressMonitor::printIfDue(const RunStats& stats) {
    std::unique_lock lock(mutex_);
    stats_ = stats;
    if (!sink_ || stats.elapsedSeconds - lastLineAt_ < intervalSeconds_) {
        return;
    }
    lastLineAt_ = stats.elapsedSeconds;
    printLine(lock);
}

// Builds the line under the lock and calls the sink without it, so a sink may call back.
void ProgressMonitor::printLine(std::unique_lock<std::mutex>& lock) {
    if (!sink_) {
        return;
    }
    const std::string line = lineLocked();
    lock.unlock();
    sink_(line);
}

}  // namespace tileflow
