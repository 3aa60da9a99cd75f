#include "view_tiles.hpp"

#include <algorithm>
#include <utility>

#include "failure_message.hpp"
#include "tileflow/engine.hpp"
#include "tileflow/error.hpp"
#include "tileflow/source_views.hpp"
#include "tileflow/thread_priority.hpp"

namespace tileflow::plugin::detail {

namespace {

// Counts bytes as in flight for as long as it lives.
class InFlight {
public:
    InFlight(std::atomic<std::int64_t>& counter, std::int64_t bytes)
        : counter_(counter), bytes_(bytes) {
        counter_ += bytes_;
    }
    ~InFlight() { counter_ -= bytes_; }
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;

private:
    std::atomic<std::int64_t>& counter_;
    std::int64_t bytes_;
};

}  // namespace

ViewTiles::ViewTiles(std::shared_ptr<const Source> source,
                     std::shared_ptr<const Operation> operation, std::string operationKey,
                     std::shared_ptr<ResultCache> cache, int threads, Delivery delivery)
    : source_(std::move(source)),
      operation_(std::move(operation)),
      key_(std::move(operationKey)),
      cache_(std::move(cache)),
      levels_(source_->metadata().levels),
      threads_(threads),
      delivery_(std::move(delivery)),
      noStatistics_(std::make_shared<const StatisticsList>()) {
    for (int i = 0; i < threads_; ++i) {
        workers_.emplace_back([this] {
            makeCurrentThreadBackground();
            work();
        });
    }
}

ViewTiles::~ViewTiles() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        queue_.clear();
        if (gathering_)
            gathering_->stop.request_stop();
    }
    wake_.notify_all();
    for (std::jthread& worker : workers_)
        worker.join();
}

void ViewTiles::schedule(quint64 generation, int level, const std::vector<TileRequest>& tiles) {
    {
        std::lock_guard lock(mutex_);
        generation_ = generation;
        queue_.clear();
        for (const TileRequest& tile : tiles)
            queue_.push_back({generation, level, tile});
        if (gathering_ && gathering_->level != level)
            gathering_->stop.request_stop();
    }
    wake_.notify_all();
}

void ViewTiles::cancel(quint64 generation) {
    {
        std::lock_guard lock(mutex_);
        generation_ = generation;
        queue_.clear();
        if (gathering_)
            gathering_->stop.request_stop();
        cancelBoundary_ = generation;
        reportCancelledIfIdle();
    }
    wake_.notify_all();
}

void ViewTiles::setDisplayMapping(const DisplayMapping& mapping) {
    std::lock_guard lock(mutex_);
    display_ = mapping;
}

void ViewTiles::work() {
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (stopping_)
            return;
        const Task task = queue_.front();
        queue_.pop_front();
        const auto held = busy_.insert(task.generation);
        if (const SharedStatistics statistics = statisticsFor(task, lock)) {
            const DisplayMapping mapping = display_;
            lock.unlock();
            compute(task, *statistics, mapping);
            lock.lock();
        }
        busy_.erase(held);
        reportCancelledIfIdle();
    }
}

ViewTiles::SharedStatistics ViewTiles::statisticsFor(const Task& task,
                                                     std::unique_lock<std::mutex>& lock) {
    if (operation_->statisticsPasses(levelInfo(task.level)) == 0)
        return noStatistics_;
    for (;;) {
        if (stopping_ || task.generation != generation_)
            return nullptr;
        if (const auto found = statistics_.find(task.level); found != statistics_.end())
            return found->second;
        if (!gathering_)
            break;
        wake_.wait(lock);  // another worker gathers; its level may be this one
    }
    gathering_ = Gathering{task.level, {}};
    const std::stop_token stop = gathering_->stop.get_token();
    lock.unlock();
    SharedStatistics gathered;
    QString failure;
    try {
        const LevelSource level(*source_, task.level);
        TileFlow flow({.tile = {512, 512}, .threads = threads_});
        flow.configure(operation_);
        gathered = std::make_shared<const StatisticsList>(
            flow.gatherStatistics(level, RunControl{nullptr, stop}));
    } catch (const Cancelled&) {
    } catch (const std::exception& e) {
        failure = failureMessage(e);
    }
    lock.lock();
    gathering_.reset();
    if (gathered)
        statistics_[task.level] = gathered;
    wake_.notify_all();
    if (!failure.isEmpty())
        fail(task.generation, failure);
    return gathered;
}

void ViewTiles::compute(const Task& task, const StatisticsList& statistics,
                        const DisplayMapping& mapping) {
    const ResultCache::Key key{key_, task.level, task.tile.rect};
    std::shared_ptr<const Image> raw = cache_->find(key);
    if (!raw) {
        if (task.generation != generation_)
            return;
        try {
            raw = process(task, statistics);
        } catch (const std::exception& e) {
            const QString message = failureMessage(e);
            std::lock_guard lock(mutex_);
            fail(task.generation, message);
            return;
        }
        cache_->insert(key, raw);
    }
    if (task.generation != generation_)
        return;
    delivery_.tile({task.generation, task.level, task.tile, mapping.toImage(*raw), raw});
}

std::shared_ptr<const Image> ViewTiles::process(const Task& task,
                                                const StatisticsList& statistics) {
    const ImageInfo level = levelInfo(task.level);
    const Rect inRect = task.tile.rect.grown(operation_->radius()).intersected(rectOf(level.size));
    ImageInfo outInfo = operation_->outputInfo(level);
    outInfo.size = task.tile.rect.size();
    Image in(ImageInfo{inRect.size(), level.channels, level.dtype});
    auto out = std::make_shared<Image>(outInfo);
    const InFlight holding(bytesInFlight_, in.bytes() + out->bytes());
    source_->readLevel(task.level, inRect, in.view());
    operation_->process(in.view(), inRect, out->view(), task.tile.rect, statistics);
    return out;
}

ImageInfo ViewTiles::levelInfo(int level) const {
    ImageInfo info = source_->info();
    info.size = levels_.at(static_cast<std::size_t>(level)).size;
    return info;
}

void ViewTiles::fail(quint64 generation, const QString& message) {
    if (generation != generation_ || generation == failedGeneration_)
        return;
    failedGeneration_ = generation;
    queue_.clear();
    delivery_.failure(generation, message);
}

void ViewTiles::reportCancelledIfIdle() {
    if (cancelBoundary_ && (busy_.empty() || *busy_.begin() >= *cancelBoundary_)) {
        cancelBoundary_.reset();
        delivery_.cancelled();
    }
}

}  // namespace tileflow::plugin::detail
