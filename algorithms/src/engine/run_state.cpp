#include "run_state.hpp"

#include "tileflow/error.hpp"

namespace tileflow::detail {

namespace {
std::string describe(const Tile& t) {
    return "tile " + std::to_string(t.index) + " (col " + std::to_string(t.col) + ", row " +
           std::to_string(t.row) + ", core " + std::to_string(t.core.width) + "x" +
           std::to_string(t.core.height) + " at x=" + std::to_string(t.core.x) +
           " y=" + std::to_string(t.core.y) + ")";
}
}  // namespace

RunState::RunState(const RunControl& control, std::string operationId, int threads)
    : control_(control),
      operationId_(std::move(operationId)),
      threads_(threads),
      start_(std::chrono::steady_clock::now()) {}

void RunState::setTotals(int passes, int channels, std::int64_t chunks, std::int64_t tiles,
                         std::int64_t pixels) {
    std::lock_guard lock(mutex_);
    stats_.passes = passes;
    stats_.channels = channels;
    stats_.chunksTotal = chunks;
    stats_.tilesTotal = tiles;
    stats_.pixelsTotal = pixels;
}

void RunState::startPass(int pass) {
    std::lock_guard lock(mutex_);
    stats_.pass = pass;
}

void RunState::chunkDone(std::int64_t bytesRead, std::int64_t bytesWritten) {
    std::lock_guard lock(mutex_);
    ++stats_.chunksDone;
    stats_.bytesRead += bytesRead;
    stats_.bytesWritten += bytesWritten;
}

RunStats RunState::snapshot() {
    std::lock_guard lock(mutex_);
    refresh();
    return stats_;
}

void RunState::reportError(std::string_view message) {
    notify([&](Callbacks& cb, const RunStats& s) { cb.onError(message, s); });
}

void RunState::refresh() {
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start_;
    stats_.elapsedSeconds = elapsed.count();
    stats_.engineBytes = pool_.heldBytes();
    stats_.enginePeakBytes = pool_.peakBytes();
}

void RunState::tileFinished(const Tile& t, double seconds, bool own, const TileViews* views) {
    std::lock_guard lock(mutex_);
    ++stats_.tilesDone;
    if (own)
        stats_.pixelsDone += t.core.area();
    if (!control_.callbacks)
        return;
    refresh();
    if (views)
        control_.callbacks->onTileResult(t, views->input, views->result, stats_);
    control_.callbacks->onTileEnd(t, seconds, stats_);
}

void RunState::fail(std::exception_ptr error, const Tile& tile) noexcept {
    std::lock_guard lock(mutex_);
    if (failed_.exchange(true))
        return;
    error_ = std::move(error);
    failedTile_ = tile;
}

void RunState::rethrowIfFailed() {
    if (!failed_.load())
        return;
    std::string what;
    try {
        std::rethrow_exception(error_);
    } catch (const Cancelled&) {
        throw;
    } catch (const std::exception& e) {
        what = e.what();
    } catch (...) {
        what = "unknown exception";
    }
    try {
        std::rethrow_exception(error_);
    } catch (...) {
        std::throw_with_nested(
            Error(operationId_ + " failed on " + describe(failedTile_) + ": " + what));
    }
}

}  // namespace tileflow::detail
