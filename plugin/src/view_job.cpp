#include "tileflow/plugin/view_job.hpp"

#include <QThread>
#include <algorithm>
#include <utility>

#include "display_grid.hpp"
#include "queued_post.hpp"
#include "tileflow/error.hpp"
#include "tileflow/monitors.hpp"
#include "view_tiles.hpp"

namespace tileflow::plugin {

namespace {

constexpr qint64 kMemorySampleIntervalMs = 100;

}  // namespace

ViewJob::ViewJob(std::shared_ptr<const Source> source, std::shared_ptr<const Operation> operation,
                 std::string operationKey, Options options, QObject* parent)
    : QObject(parent),
      source_(std::move(source)),
      key_(std::move(operationKey)),
      tileSide_(options.tileSide),
      cache_(options.cache ? std::move(options.cache) : std::make_shared<ResultCache>()),
      display_(std::move(options.display)) {
    if (!source_ || !operation)
        throw InvalidArgument("a view job needs a source and an operation");
    if (tileSide_ < 1)
        throw InvalidArgument("a view job's tile side must be at least 1 pixel, not " +
                              std::to_string(tileSide_));
    static_cast<void>(operation->outputInfo(source_->info()));  // throws for unfit inputs
    levels_ = source_->metadata().levels;
    channels_ = source_->info().channels;
    registerJobMetaTypes();
    const int threads =
        options.threads > 0 ? options.threads : std::max(1, QThread::idealThreadCount());
    detail::ViewTiles::Delivery delivery{
        .tile =
            [this](const detail::TileResult& tile) {
                detail::postQueued(this, [this, tile] { accept(tile); });
            },
        .failure =
            [this](quint64 generation, const QString& message) {
                detail::postQueued(this,
                                   [this, generation, message] { fail(generation, message); });
            },
        .cancelled = [this] { detail::postQueued(this, [this] { emit cancelled(); }); },
    };
    tiles_ = std::make_unique<detail::ViewTiles>(source_, std::move(operation), key_, cache_,
                                                 threads, std::move(delivery));
    tiles_->setDisplayMapping(display_);
}

ViewJob::~ViewJob() = default;

void ViewJob::setView(const ViewState& view) {
    if (view_ && *view_ == view)
        return;
    const quint64 generation = ++generation_;
    if (view.level < 0 || static_cast<std::size_t>(view.level) >= levels_.size()) {
        view_.reset();
        tiles_->schedule(generation, 0, {});
        const QString message = QStringLiteral("level %1 does not exist: the image has %2 level(s)")
                                    .arg(view.level)
                                    .arg(levels_.size());
        postForGeneration(generation, [this, message] { emit failed(message); });
        return;
    }
    view_ = view;
    done_ = 0;
    megapixelsDone_ = 0;
    clock_.start();
    const detail::DisplayGrid grid(levels_.front().size,
                                   levels_[static_cast<std::size_t>(view.level)], tileSide_);
    const std::vector<Rect> tiles = grid.tilesCentreOut(view.level0Rect);
    total_ = static_cast<qint64>(tiles.size());
    postForGeneration(generation, [this] {
        emit progress(currentProgress());
        if (total_ == 0) {
            view_.reset();
            emit finished();
        }
    });
    std::vector<detail::TileRequest> queued;
    for (const Rect& rect : tiles) {
        const detail::TileRequest request{rect, grid.toLevel0(rect)};
        if (const auto raw = cache_->find({key_, view.level, rect})) {
            postForGeneration(generation, [this, generation, level = view.level, request, raw] {
                accept({generation, level, request, display_.toImage(*raw), raw});
            });
        } else {
            queued.push_back(request);
        }
    }
    tiles_->schedule(generation, view.level, queued);
}

void ViewJob::cancel() {
    if (!view_)
        return;
    view_.reset();
    tiles_->cancel(++generation_);
}

void ViewJob::setDisplayMapping(const DisplayMapping& mapping) {
    display_ = mapping;
    tiles_->setDisplayMapping(mapping);
}

void ViewJob::postForGeneration(quint64 generation, std::function<void()> f) {
    detail::postQueued(this, [this, generation, f = std::move(f)] {
        if (generation == generation_)
            f();
    });
}

void ViewJob::accept(const detail::TileResult& tile) {
    if (tile.generation != generation_ || !view_)
        return;
    ++done_;
    megapixelsDone_ += static_cast<double>(tile.tile.rect.area() * channels_) / 1e6;
    const bool complete = done_ == total_;
    if (complete)
        view_.reset();
    emit tileReady(tile.generation, tile.level, tile.tile.level0Rect, tile.display, tile.raw);
    if (tile.generation != generation_)
        return;  // a receiver moved the view
    emit progress(currentProgress());
    sampleMemory(complete);
    if (complete)
        emit finished();
}

void ViewJob::fail(quint64 generation, const QString& message) {
    if (generation != generation_ || !view_)
        return;
    view_.reset();
    emit failed(message);
}

JobProgress ViewJob::currentProgress() const {
    JobProgress p;
    p.done = done_;
    p.total = total_;
    p.elapsedSeconds = static_cast<double>(clock_.nsecsElapsed()) / 1e9;
    if (p.elapsedSeconds > 0)
        p.megapixelsPerSecond = megapixelsDone_ / p.elapsedSeconds;
    if (done_ == total_)
        p.etaSeconds = 0.0;
    else if (done_ > 0)
        p.etaSeconds =
            p.elapsedSeconds * static_cast<double>(total_ - done_) / static_cast<double>(done_);
    return p;
}

void ViewJob::sampleMemory(bool now) {
    if (!now && sinceSample_.isValid() && sinceSample_.elapsed() < kMemorySampleIntervalMs)
        return;
    sinceSample_.start();
    emit memorySample({processMemory(), tiles_->bytesInFlight(), cache_->heldBytes()});
}

}  // namespace tileflow::plugin
