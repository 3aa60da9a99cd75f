// Internal: the shared state of one run — progress counters, serialised callbacks, the
// first failure, and the buffer pool.
#pragma once

#include <omp.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "../buffer_pool.hpp"
#include "tileflow/engine.hpp"

namespace tileflow::detail {

class RunState {
public:
    RunState(const RunControl& control, std::string operationId, int threads);

    int threads() const { return threads_; }
    BufferPool& pool() { return pool_; }

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

    // Runs body(tile, position in `tiles`, worker index) for every tile on the worker threads.
    // Tiles whose core lies in `chunkCore` count towards pixelsDone. Stops early on a stop request
    // or the first error, and then throws Cancelled or an Error naming the failed tile.
    template <typename Body>
    void forEachTile(const std::vector<Tile>& tiles, const Rect& chunkCore, Body&& body);

    RunStats snapshot();
    // Reports a failure through onError; returns the message to rethrow with.
    void reportError(std::string_view message);

private:
    void refresh();
    void tileFinished(const Tile& t, double seconds, bool own);
    void fail(const std::exception* error, const Tile* tile);
    void rethrowIfFailed();
    bool stopRequested() const { return control_.stop.stop_requested(); }

    RunControl control_;
    std::string operationId_;
    int threads_;
    std::chrono::steady_clock::time_point start_;
    BufferPool pool_;

    std::mutex mutex_;
    RunStats stats_;
    std::atomic<bool> failed_{false};
    bool cancelled_ = false;
    std::string error_;
};

template <typename Body>
void RunState::forEachTile(const std::vector<Tile>& tiles, const Rect& chunkCore, Body&& body) {
    const auto count = static_cast<std::int64_t>(tiles.size());
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads_)
    for (std::int64_t i = 0; i < count; ++i) {
        if (failed_.load(std::memory_order_relaxed))
            continue;
        const Tile& tile = tiles[static_cast<std::size_t>(i)];
        if (stopRequested()) {
            fail(nullptr, nullptr);
            continue;
        }
        try {
            notify([&](Callbacks& cb, const RunStats& s) { cb.onTileStart(tile, s); });
            const auto begin = std::chrono::steady_clock::now();
            body(tile, static_cast<std::size_t>(i), static_cast<std::size_t>(omp_get_thread_num()));
            const std::chrono::duration<double> took = std::chrono::steady_clock::now() - begin;
            tileFinished(tile, took.count(), chunkCore.contains(tile.core));
        } catch (const std::exception& e) {
            fail(&e, &tile);
        }
    }
    rethrowIfFailed();
}

}  // namespace tileflow::detail
