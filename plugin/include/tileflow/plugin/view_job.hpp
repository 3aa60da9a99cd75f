/// @file
/// ViewJob: the result tiles of what a viewer shows, computed in the background.
///
/// @code
///   ViewJob job(source, tileflow::createOperation("sobel"), "sobel", {.tileSide = 256});
///   connect(&job, &ViewJob::tileReady, canvas, &Canvas::placeResultTile);
///   job.setView({visibleLevel0Rect, level});  // again on every pan or zoom
/// @endcode
///
/// Tiles: display tiles are squares of `tileSide` pixels of a pyramid level, on a grid
/// anchored at the level's origin and clipped at its border. tileReady gives a tile's
/// rectangle in level-0 pixels (scaled by the level's downsample; the level's far edges map
/// to the image's), its display image (display_mapping.hpp) and the raw result, which equals
/// the same rectangle of the operation run over the whole level (TileFlow::run on a
/// LevelSource, crop mode): each tile reads its rectangle grown by the operation's radius,
/// clipped to the level, and operations with statistics passes get statistics gathered over
/// the whole level (TileFlow::gatherStatistics), once per level for the job's lifetime.
///
/// Generations: each setView() starts a new generation (numbered 1, 2, ...) holding the tiles
/// that meet the view at its level, nearest to the view's centre first. Tiles found in the
/// result cache are served at once from the event loop, still as tileReady (their display
/// images are made on the job's thread, a copy per tile); the rest are queued for the workers,
/// replacing whatever an older view left in the queue. A worker drops a tile whose generation
/// is stale before computing it and before delivering it, and the job drops late arrivals on
/// its own thread, so a receiver never sees a tile of a generation older than the latest
/// setView(). Each tile of a generation is delivered exactly once. Finished results are kept
/// in the result cache (keyed by the operation key, level and tile), also when their
/// generation went stale on the way. setView() with the view of the generation in progress
/// does nothing.
///
/// Signals, all emitted on the job's thread from its event loop (the workers post to it):
///   - tileReady per tile of the current generation;
///   - progress after setView() and after each tile: done/total tiles of the current
///     generation, the rate in megapixels (input channel-pixels) per second and the ETA;
///   - memorySample at most ten times a second and when a generation completes;
///   - finished when every tile of the current generation has been delivered;
///   - failed when a tile or the statistics fail (the generation stops), or setView() names a
///     level the source does not have;
///   - cancelled after cancel() once no worker computes a tile of the cancelled view any more
///     (within one tile's time; tiles that finish meanwhile are cached, not delivered).
///
/// Threads: `threads` worker threads owned by the job (0: QThread::idealThreadCount()),
/// taking tiles from one queue, rather than the global QThreadPool: the job can stop and join
/// its own workers when it is destroyed, and a slow operation cannot starve other users of
/// the global pool. Statistics passes run on one worker with the engine's OpenMP threads.
///
/// Thread-safety: create, use and destroy the job on one thread that runs an event loop
/// (normally the GUI thread). The workers touch only QImage, never QPixmap or widgets.
/// Ownership: the job shares the source, the operation and the cache; destroying the job
/// cancels and joins its workers, and no signal follows.
/// Errors: the constructor throws tileflow::InvalidArgument for a null source or operation, a
/// tileSide below 1, or an operation that cannot take the source (Operation::outputInfo).
#pragma once

#include <QElapsedTimer>
#include <QImage>
#include <QObject>
#include <QRect>
#include <QString>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tileflow/operation.hpp"
#include "tileflow/plugin/display_mapping.hpp"
#include "tileflow/plugin/host_extension.hpp"
#include "tileflow/plugin/job_types.hpp"
#include "tileflow/plugin/result_cache.hpp"
#include "tileflow/source.hpp"

namespace tileflow::plugin {

namespace detail {
class ViewTiles;
struct TileResult;
}  // namespace detail

/// How a ViewJob cuts, computes and shows tiles.
struct ViewJobOptions {
    std::int64_t tileSide = 256;  ///< display tile side, in pixels of the level
    int threads = 0;              ///< worker threads; 0: QThread::idealThreadCount()
    /// Shared with other jobs of the same image; null: a cache of the default capacity of
    /// the job's own.
    std::shared_ptr<ResultCache> cache;
    DisplayMapping display;  ///< how results become display images
};

/// Computes the result tiles of a viewer's view on worker threads; see the file description.
class ViewJob : public QObject {
    Q_OBJECT

public:
    /// The job's options.
    using Options = ViewJobOptions;

    /// `operationKey` names the operation and its parameter values in the cache: the same key
    /// must always mean the same results for this source.
    ViewJob(std::shared_ptr<const Source> source, std::shared_ptr<const Operation> operation,
            std::string operationKey, Options options = {}, QObject* parent = nullptr);
    ~ViewJob() override;

    /// Starts a new generation for `view` (see Generations above); nothing when `view` is
    /// the view of the generation in progress.
    void setView(const ViewState& view);
    /// Stops the current generation: its queued tiles are dropped, nothing more of it is
    /// delivered. Does nothing when no generation is in progress.
    void cancel();
    /// Applies to the tiles converted from now on; tiles already delivered stay as they are.
    void setDisplayMapping(const DisplayMapping& mapping);

    /// The latest generation; 0 before the first setView().
    quint64 generation() const { return generation_; }
    /// The cache the job keeps results in: the options' one, or its own.
    const std::shared_ptr<ResultCache>& cache() const { return cache_; }

signals:
    /// A tile of the current generation: `level0Rect` in level-0 pixels, `display` made
    /// with the job's DisplayMapping, `raw` the result's pixels.
    void tileReady(quint64 generation, int level, QRect level0Rect, QImage display,
                   std::shared_ptr<const tileflow::Image> raw);
    /// After setView() and after each tile: the current generation's tiles, rate and ETA.
    void progress(tileflow::plugin::JobProgress progress);
    /// At most ten times a second, and when a generation completes.
    void memorySample(tileflow::plugin::MemorySample sample);
    /// Every tile of the current generation has been delivered.
    void finished();
    /// A tile or the statistics failed (the generation stops), or setView() named a level
    /// the source does not have.
    void failed(QString message);
    /// After cancel(), once no worker computes a tile of the cancelled view any more.
    void cancelled();

private:
    // Runs `f` from the event loop if the generation is still current then.
    void postForGeneration(quint64 generation, std::function<void()> f);
    void accept(const detail::TileResult& tile);
    void fail(quint64 generation, const QString& message);
    JobProgress currentProgress() const;
    void sampleMemory(bool now);

    std::shared_ptr<const Source> source_;
    std::string key_;
    std::int64_t tileSide_;
    std::shared_ptr<ResultCache> cache_;
    DisplayMapping display_;
    std::vector<SourceLevel> levels_;
    int channels_ = 0;
    std::unique_ptr<detail::ViewTiles> tiles_;

    // The current generation.
    quint64 generation_ = 0;
    std::optional<ViewState> view_;  // while the generation is in progress
    qint64 done_ = 0;
    qint64 total_ = 0;
    double megapixelsDone_ = 0;
    QElapsedTimer clock_;
    QElapsedTimer sinceSample_;
};

}  // namespace tileflow::plugin
