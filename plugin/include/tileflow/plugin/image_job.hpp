/// @file
/// ImageJob: a whole image, or one pyramid level of it, through an operation in the background.
///
/// @code
///   // Export: the result goes to a file.
///   auto job = new ImageJob(source, op, tileflow::createSink("edges.tif"), {.level = 0});
///   // Or into the result layer, tile by tile.
///   auto job = new ImageJob(source, op, "sobel", {.level = 2, .cache = sharedCache});
///   connect(job, &ImageJob::progress, panel, &ProgressPanel::show);
///   job->start();
/// @endcode
///
/// The job runs TileFlow::run (engine.hpp) over the level (a LevelSource) on one worker
/// thread; the engine's OpenMP threads process the tiles, so a pool of our own would add
/// nothing. The result is therefore the batch engine's, statistics passes included.
///   - Export: the job owns the sink. A cancelled or failed run aborts it, so no complete-
///     looking file is left; finished() comes after the sink has committed.
///   - Layer: each chunk the engine finishes is cut along the display grid of the level
///     (squares of `tileSide` level pixels anchored at its origin, as a ViewJob's) and each
///     piece is emitted as tileReady with generation 0, its level-0 rectangle, its display
///     image and its raw result. Whole display tiles also go into the cache, when there is
///     one, under the operation key, so a ViewJob sharing that cache serves them at once.
///
/// Signals, all emitted on the job's thread from its event loop (the worker posts to it):
/// progress (the engine's tiles over all passes) and memorySample (process memory, the
/// engine's buffers, the cache's bytes) at most ten times a second and once more at the end,
/// where the last progress has done == total; tileReady in layer mode; then exactly one of
/// finished, failed (with the engine's message, nested causes appended) or cancelled.
/// cancel() requests the engine's stop token, which it checks before each tile, so the run
/// stops within one tile's time; cancelled() follows once it has stopped.
///
/// Thread-safety: create, use and destroy the job on one thread that runs an event loop
/// (normally the GUI thread); the worker touches only QImage, never QPixmap or widgets.
/// Ownership: the job shares the source, operation and cache and owns the export sink.
/// Destroying the job cancels the run and joins the worker; no signal follows.
/// Errors: the constructors throw tileflow::InvalidArgument for a null source, operation or
/// sink, a level the source does not have, or a tileSide below 1. Everything that fails once
/// the run has started is reported through failed().
#pragma once

#include <QImage>
#include <QObject>
#include <QRect>
#include <QString>
#include <cstdint>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <thread>

#include "tileflow/engine.hpp"
#include "tileflow/operation.hpp"
#include "tileflow/plugin/display_mapping.hpp"
#include "tileflow/plugin/job_types.hpp"
#include "tileflow/plugin/result_cache.hpp"
#include "tileflow/source.hpp"

namespace tileflow::plugin {

/// What an ImageJob processes and how.
struct ImageJobOptions {
    int level = 0;                       ///< pyramid level to process; 0: full resolution
    EngineOptions engine;                ///< tile size, chunk size, threads, reconstruction...
    std::int64_t tileSide = 256;         ///< layer mode: display tile side, in level pixels
    std::shared_ptr<ResultCache> cache;  ///< layer mode: where whole tiles go; may be null
    DisplayMapping display;              ///< layer mode
};

/// A level of an image through an operation on a worker thread; see the file description.
class ImageJob : public QObject {
    Q_OBJECT

public:
    /// The job's options.
    using Options = ImageJobOptions;

    /// Layer mode; `operationKey` names the operation and its parameters in the cache.
    ImageJob(std::shared_ptr<const Source> source, std::shared_ptr<const Operation> operation,
             std::string operationKey, Options options = {}, QObject* parent = nullptr);
    /// Export mode.
    ImageJob(std::shared_ptr<const Source> source, std::shared_ptr<const Operation> operation,
             std::unique_ptr<Sink> sink, Options options = {}, QObject* parent = nullptr);
    ~ImageJob() override;

    /// Starts the run; a job runs once, later calls do nothing.
    void start();
    /// Asks the run to stop; cancelled() follows once it has.
    void cancel() { stop_.request_stop(); }

signals:
    /// Layer mode: a piece of a finished chunk, `generation` 0, `level0Rect` in level-0
    /// pixels, `display` made with the options' DisplayMapping, `raw` the result's pixels.
    void tileReady(quint64 generation, int level, QRect level0Rect, QImage display,
                   std::shared_ptr<const tileflow::Image> raw);
    /// The engine's tiles over all passes; at most ten times a second, and at the end.
    void progress(tileflow::plugin::JobProgress progress);
    /// Process memory, the engine's buffers and the cache; at most ten times a second.
    void memorySample(tileflow::plugin::MemorySample sample);
    /// The run completed (in export mode, the sink has committed).
    void finished();
    /// The run failed: the engine's message, nested causes appended.
    void failed(QString message);
    /// The run stopped after cancel().
    void cancelled();

private:
    class Reporter;

    // On the worker thread.
    void run();
    // Posts `f` to the job's thread.
    void post(std::function<void()> f);

    std::shared_ptr<const Source> source_;
    std::shared_ptr<const Operation> operation_;
    std::string key_;
    Options options_;
    std::unique_ptr<Sink> sink_;  // null in layer mode
    std::stop_source stop_;
    std::jthread worker_;
};

}  // namespace tileflow::plugin
