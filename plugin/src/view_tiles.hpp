// Internal: the worker side of a ViewJob (view_job.hpp).
//
// A queue holding the display tiles of the newest generation only, and worker threads that
// take tiles from it one at a time: each looks the tile up in the result cache, else reads
// the tile grown by the operation's radius (clipped to the level) and processes it, stores
// the result in the cache and hands it to Delivery::tile with its display image. A task
// whose generation has been superseded is dropped before it is computed and before it is
// delivered (a result computed anyway is still cached: it is correct, only no longer
// wanted). Statistics for operations that need them are gathered over the whole level once
// per level by the first worker that needs them, while the others wait; a change of level or
// a cancel stops a gathering that is no longer wanted.
//
// Thread-safety: schedule(), cancel() and setDisplayMapping() are called from the owner's
// thread. Delivery callbacks are called on worker threads (cancelled() also from cancel()),
// failure() and cancelled() with the queue's lock held: they must only post. The destructor
// stops and joins the workers.
#pragma once

#include <QImage>
#include <QRect>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "tileflow/operation.hpp"
#include "tileflow/plugin/display_mapping.hpp"
#include "tileflow/plugin/result_cache.hpp"
#include "tileflow/source.hpp"

namespace tileflow::plugin::detail {

struct TileRequest {
    Rect rect;         // level pixels
    QRect level0Rect;  // the same tile in level-0 pixels
};

struct TileResult {
    quint64 generation = 0;
    int level = 0;
    TileRequest tile;
    QImage display;
    std::shared_ptr<const Image> raw;
};

class ViewTiles {
public:
    struct Delivery {
        std::function<void(const TileResult&)> tile;
        std::function<void(quint64 generation, const QString& message)> failure;
        // Every worker has put down the tiles of the generations before the cancel.
        std::function<void()> cancelled;
    };

    ViewTiles(std::shared_ptr<const Source> source, std::shared_ptr<const Operation> operation,
              std::string operationKey, std::shared_ptr<ResultCache> cache, int threads,
              Delivery delivery);
    ~ViewTiles();
    ViewTiles(const ViewTiles&) = delete;
    ViewTiles& operator=(const ViewTiles&) = delete;

    // Replaces the queue by `tiles` of `level`, in order; older generations are dropped.
    void schedule(quint64 generation, int level, const std::vector<TileRequest>& tiles);
    // Empties the queue and drops everything older than `generation`; Delivery::cancelled
    // follows once no worker computes such a tile any more.
    void cancel(quint64 generation);
    void setDisplayMapping(const DisplayMapping& mapping);
    // Bytes of the input and output buffers of the tiles being computed now.
    std::int64_t bytesInFlight() const { return bytesInFlight_.load(); }

private:
    struct Task {
        quint64 generation = 0;
        int level = 0;
        TileRequest tile;
    };
    struct Gathering {
        int level = 0;
        std::stop_source stop;
    };
    using SharedStatistics = std::shared_ptr<const StatisticsList>;

    void work();
    SharedStatistics statisticsFor(const Task& task, std::unique_lock<std::mutex>& lock);
    SharedStatistics gather(int level);
    void compute(const Task& task, const StatisticsList& statistics, const DisplayMapping& mapping);
    std::shared_ptr<const Image> process(const Task& task, const StatisticsList& statistics);
    ImageInfo levelInfo(int level) const;
    // With the lock held.
    void fail(quint64 generation, const QString& message);
    void reportCancelledIfIdle();

    const std::shared_ptr<const Source> source_;
    const std::shared_ptr<const Operation> operation_;
    const std::string key_;
    const std::shared_ptr<ResultCache> cache_;
    const std::vector<SourceLevel> levels_;
    const int threads_;
    const Delivery delivery_;
    const SharedStatistics noStatistics_;
    std::atomic<std::int64_t> bytesInFlight_{0};
    std::atomic<quint64> generation_{0};

    std::mutex mutex_;
    std::condition_variable wake_;  // new tasks, statistics gathered, stopping
    bool stopping_ = false;
    std::deque<Task> queue_;
    DisplayMapping display_;
    std::map<int, SharedStatistics> statistics_;  // by level
    std::optional<Gathering> gathering_;
    std::multiset<quint64> busy_;  // generations of the tasks the workers hold
    std::optional<quint64> cancelBoundary_;
    quint64 failedGeneration_ = 0;  // generation whose failure was reported (0: none)

    std::vector<std::jthread> workers_;  // last: they use everything above
};

}  // namespace tileflow::plugin::detail
