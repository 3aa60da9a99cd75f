// Internal: the shared state of one run — progress counters, serialised callbacks, the
// first failure, and the buffer pool.
#pragma once

#include <omp.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <string>
#include <type_traits>

#include "../buffer_pool.hpp"
#include "chunk_plan.hpp"
#include "tileflow/engine.hpp"
#include "tileflow/error.hpp"

namespace tileflow::detail {

// A tile's core in the input and in what the processing pass computed for it.
struct TileViews {
    ConstImageView input;
    ConstImageView result;
};

class RunState {
public:
    RunState(const RunControl& control, std::string operationId, int threads);

    int threads() const { return threads_; }
    BufferPool& pool() { return pool_; }
    bool stopRequested() const { return control_.stop.stop_requested(); }

    // Calls f(callbacks, stats) under the run's lock; does nothing without callbacks.
    template <typename F>
    void notify(F&& f) {
        if (!control_.callbacks)
            return;
        std::lock_guard lock(mutex_);
        refresh();
        f(*control_.callbacks, stats_);
    }

    void setTotals(int passes, int channels, std::int64_t chunks, std::int64_t tiles,
                   std::int64_t pixels);
    void startPass(int pass);
    void chunkDone(std::int64_t bytesRead, std::int64_t bytesWritten);

    // Runs body(tile, position in `tiles`, worker index) for every tile on the worker
    // threads. Tiles whose core lies in `chunkCore` count towards pixelsDone; a processing
    // body returns the TileViews of its tile, shown to onTileResult for those tiles only.
    // Stops early on a stop request or the first exception, then throws Cancelled, or an
    // Error naming the failed tile with the original exception nested in it.
    template <typename Body>
    void forEachTile(const ChunkTiles& tiles, const Rect& chunkCore, Body&& body);

    RunStats snapshot();
    void reportError(std::string_view message);

private:
    void refresh();
    // Counts the tile and calls onTileResult (when `views` is given) then onTileEnd, under one
    // lock so that no other tile's callbacks come between them.
    void tileFinished(const Tile& t, double seconds, bool own, const TileViews* views);
    // Records the first failure; allocates nothing, so it is safe on a worker thread.
    void fail(std::exception_ptr error, const Tile& tile) noexcept;
    void rethrowIfFailed();

    RunControl control_;
    std::string operationId_;
    int threads_;
    std::chrono::steady_clock::time_point start_;
    BufferPool pool_;

    std::mutex mutex_;
    RunStats stats_;
    std::atomic<bool> failed_{false};
    std::exception_ptr error_;  // null when the failure is a stop request
    Tile failedTile_;
};

template <typename Body>
void RunState::forEachTile(const ChunkTiles& tiles, const Rect& chunkCore, Body&& body) {
    const std::int64_t count = tiles.size();
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads_)
    for (std::int64_t i = 0; i < count; ++i) {
        if (failed_.load(std::memory_order_relaxed))
            continue;
        const Tile tile = tiles.at(i);
        try {
            if (stopRequested())
                throw Cancelled();
            notify([&](Callbacks& cb, const RunStats& s) { cb.onTileStart(tile, s); });
            const bool own = chunkCore.contains(tile.core);
            const auto position = static_cast<std::size_t>(i);
            const auto worker = static_cast<std::size_t>(omp_get_thread_num());
            const auto begin = std::chrono::steady_clock::now();
            if constexpr (std::is_void_v<decltype(body(tile, position, worker))>) {
                body(tile, position, worker);
                const std::chrono::duration<double> took = std::chrono::steady_clock::now() - begin;
                tileFinished(tile, took.count(), own, nullptr);
            } else {
                const TileViews views = body(tile, position, worker);
                const std::chrono::duration<double> took = std::chrono::steady_clock::now() - begin;
                tileFinished(tile, took.count(), own, own ? &views : nullptr);
            }
        } catch (...) {
            fail(std::current_exception(), tile);
        }
    }
    rethrowIfFailed();
}

}  // namespace tileflow::detail
