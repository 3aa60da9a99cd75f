#include "tileflow/plugin/image_job.hpp"

#include <utility>

#include "display_grid.hpp"
#include "failure_message.hpp"
#include "layer_sink.hpp"
#include "queued_post.hpp"
#include "tileflow/error.hpp"
#include "tileflow/monitors.hpp"
#include "tileflow/source_views.hpp"
#include "tileflow/thread_priority.hpp"

namespace tileflow::plugin {

namespace {

constexpr double kReportIntervalSeconds = 0.1;

JobProgress progressOf(const RunStats& s) {
    JobProgress p;
    p.done = s.tilesDone;
    p.total = s.tilesTotal;
    p.elapsedSeconds = s.elapsedSeconds;
    if (s.elapsedSeconds > 0)
        p.megapixelsPerSecond =
            static_cast<double>(s.pixelsDone * s.channels) / 1e6 / s.elapsedSeconds;
    if (s.tilesDone == s.tilesTotal)
        p.etaSeconds = 0.0;
    else if (s.tilesDone > 0)
        p.etaSeconds = s.elapsedSeconds * static_cast<double>(s.tilesTotal - s.tilesDone) /
                       static_cast<double>(s.tilesDone);
    return p;
}

}  // namespace

// Engine callbacks to progress and memory signals, at most every kReportIntervalSeconds of
// run time, plus one at the start and one at the end.
class ImageJob::Reporter final : public Callbacks {
public:
    explicit Reporter(ImageJob& job) : job_(job) {}

    void onStart(const RunStats& s) override { report(s); }
    void onEnd(const RunStats& s) override { report(s); }
    void onChunkEnd(const Rect&, const RunStats& s) override { reportIfDue(s); }
    void onTileEnd(const Tile&, double, const RunStats& s) override { reportIfDue(s); }

private:
    void reportIfDue(const RunStats& s) {
        if (s.elapsedSeconds - lastReportAt_ >= kReportIntervalSeconds)
            report(s);
    }
    void report(const RunStats& s) {
        lastReportAt_ = s.elapsedSeconds;
        const ResultCache* cache = job_.options_.cache.get();
        const MemorySample memory{processMemory(), s.engineBytes, cache ? cache->heldBytes() : 0};
        ImageJob& job = job_;
        job_.post([&job, progress = progressOf(s), memory] {
            emit job.progress(progress);
            emit job.memorySample(memory);
        });
    }

    ImageJob& job_;
    double lastReportAt_ = 0;
};

ImageJob::ImageJob(std::shared_ptr<const Source> source, std::shared_ptr<const Operation> operation,
                   std::string operationKey, Options options, QObject* parent)
    : QObject(parent),
      source_(std::move(source)),
      operation_(std::move(operation)),
      key_(std::move(operationKey)),
      options_(std::move(options)) {
    if (!source_ || !operation_)
        throw InvalidArgument("an image job needs a source and an operation");
    if (options_.tileSide < 1)
        throw InvalidArgument("an image job's tile side must be at least 1 pixel, not " +
                              std::to_string(options_.tileSide));
    static_cast<void>(LevelSource(*source_, options_.level));  // throws for a missing level
    registerJobMetaTypes();
}

ImageJob::ImageJob(std::shared_ptr<const Source> source, std::shared_ptr<const Operation> operation,
                   std::unique_ptr<Sink> sink, Options options, QObject* parent)
    : ImageJob(std::move(source), std::move(operation), std::string(), std::move(options), parent) {
    if (!sink)
        throw InvalidArgument("an exporting image job needs a sink");
    sink_ = std::move(sink);
}

ImageJob::~ImageJob() {
    cancel();
    if (worker_.joinable())
        worker_.join();
}

void ImageJob::start() {
    if (worker_.joinable())
        return;
    worker_ = std::jthread([this] {
        makeCurrentThreadBackground();  // the engine's OpenMP team inherits it
        run();
    });
}

void ImageJob::post(std::function<void()> f) {
    detail::postQueued(this, std::move(f));
}

void ImageJob::run() {
    try {
        const LevelSource level(*source_, options_.level);
        TileFlow flow(options_.engine);
        flow.configure(operation_);
        Reporter reporter(*this);
        const RunControl control{&reporter, stop_.get_token()};
        if (sink_) {
            flow.run(level, *sink_, control);
        } else {
            const int levelIndex = options_.level;
            detail::LayerSink layer(
                detail::DisplayGrid(
                    source_->info().size,
                    source_->metadata().levels[static_cast<std::size_t>(levelIndex)],
                    options_.tileSide),
                // Only crop results equal a view job's tiles, so only they may be shared.
                levelIndex, key_,
                options_.engine.reconstruction == Reconstruction::Crop ? options_.cache : nullptr,
                options_.display,
                [this, levelIndex](const QRect& level0Rect, const QImage& display,
                                   const std::shared_ptr<const Image>& raw) {
                    post([this, levelIndex, level0Rect, display, raw] {
                        emit tileReady(0, levelIndex, level0Rect, display, raw);
                    });
                });
            flow.run(level, layer, control);
        }
        post([this] { emit finished(); });
    } catch (const Cancelled&) {
        post([this] { emit cancelled(); });
    } catch (const std::exception& e) {
        post([this, message = detail::failureMessage(e)] { emit failed(message); });
    }
}

}  // namespace tileflow::plugin
