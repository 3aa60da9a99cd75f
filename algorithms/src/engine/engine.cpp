#include "tileflow/engine.hpp"

#include <omp.h>

#include <algorithm>
#include <future>
#include <utility>

#include "blend.hpp"
#include "chunk_plan.hpp"
#include "run_state.hpp"
#include "tileflow/error.hpp"
#include "tileflow/limits.hpp"

namespace tileflow {

std::string_view reconstructionName(Reconstruction mode) {
    return mode == Reconstruction::Crop ? "crop" : "blend";
}

std::optional<Reconstruction> parseReconstruction(std::string_view name) {
    if (name == "crop")
        return Reconstruction::Crop;
    if (name == "blend")
        return Reconstruction::Blend;
    return std::nullopt;
}

namespace {

// Default chunks: at most 2048 x 2048 pixels and 32 MiB per chunk buffer (input or output),
// in whole tiles, at least one tile. Many-channel float images get smaller chunks, so the
// three chunk buffers of a run stay near 100 MiB instead of growing with the channel count.
constexpr std::int64_t kDefaultChunkSide = 2048;
constexpr std::int64_t kDefaultChunkBytes = std::int64_t{32} << 20;

Size defaultChunk(Size tile, std::int64_t pixelBytes) {
    Size chunk{std::max(tile.width, kDefaultChunkSide / tile.width * tile.width),
               std::max(tile.height, kDefaultChunkSide / tile.height * tile.height)};
    while (chunk.area() * pixelBytes > kDefaultChunkBytes) {
        if (chunk.height >= chunk.width && chunk.height > tile.height)
            chunk.height -= tile.height;
        else if (chunk.width > tile.width)
            chunk.width -= tile.width;
        else
            break;
    }
    return chunk;
}

std::int64_t pixelBytes(const ImageInfo& info) {
    return static_cast<std::int64_t>(bytesPerSample(info.dtype)) * info.channels;
}

// Whether the bytes spanned by two views intersect.
bool overlaps(ConstImageView a, ConstImageView b) {
    auto span = [](ConstImageView v) {
        const std::byte* first = v.data();
        const std::byte* last = v.row<std::byte>(v.channels() - 1, v.height() - 1) +
                                v.width() * static_cast<std::int64_t>(bytesPerSample(v.dtype()));
        return std::pair{first, last};
    };
    if (a.empty() || b.empty())
        return false;
    const auto [a0, a1] = span(a);
    const auto [b0, b1] = span(b);
    return a0 < b1 && b0 < a1;
}

// Bytes of the chunk buffers a streaming run holds: two inputs (the next one is read while
// the current one is processed) and one output.
std::int64_t chunkBufferBytes(const detail::ChunkPlan& plan, const ImageInfo& input,
                              const ImageInfo& output) {
    return 2 * ImageInfo{plan.largestInput(), input.channels, input.dtype}.bytes() +
           ImageInfo{plan.largestCore(), output.channels, output.dtype}.bytes();
}

// A chunk's input pixels: a view into memory the caller owns, or a buffer read from a source.
struct ChunkInput {
    detail::Lease buffer;
    ConstImageView view;
};

// Where a run's pixels come from and go to.
class Endpoints {
public:
    virtual ~Endpoints() = default;
    virtual ChunkInput fetch(const Rect& region, detail::BufferPool& pool) = 0;
    // Output pixels for a chunk; deliver() is called when they are complete.
    virtual ImageView target(const Rect& core, detail::BufferPool& pool) = 0;
    virtual std::int64_t deliver(const Rect& core) = 0;
    // The last chunk was delivered / the run failed.
    virtual void commit() = 0;
    virtual void abort() noexcept = 0;
};

class MemoryEndpoints final : public Endpoints {
public:
    MemoryEndpoints(ConstImageView in, ImageView out) : in_(in), out_(out) {}
    ChunkInput fetch(const Rect& region, detail::BufferPool&) override {
        return {detail::Lease(), in_.region(region)};
    }
    ImageView target(const Rect& core, detail::BufferPool&) override { return out_.region(core); }
    std::int64_t deliver(const Rect&) override { return 0; }
    void commit() override {}
    void abort() noexcept override {}

private:
    ConstImageView in_;
    ImageView out_;
};

class StreamEndpoints final : public Endpoints {
public:
    // Buffers are sized for the largest chunk input and output, so every chunk reuses them.
    StreamEndpoints(const Source& source, Sink& sink, const ImageInfo& output,
                    const detail::ChunkPlan& plan)
        : source_(source),
          sink_(sink),
          output_(output),
          inputCapacity_(
              ImageInfo{plan.largestInput(), source.info().channels, source.info().dtype}.bytes()),
          outputCapacity_(ImageInfo{plan.largestCore(), output.channels, output.dtype}.bytes()) {}
    ChunkInput fetch(const Rect& region, detail::BufferPool& pool) override {
        ImageInfo info = source_.info();
        info.size = region.size();
        detail::Lease buffer = pool.acquire(info, inputCapacity_);
        source_.read(region, buffer.view());
        const ConstImageView view = buffer.view();
        return {std::move(buffer), view};
    }
    ImageView target(const Rect& core, detail::BufferPool& pool) override {
        ImageInfo info = output_;
        info.size = core.size();
        chunkOut_ = {};  // hand the previous chunk's buffer back first, so it can be reused
        chunkOut_ = pool.acquire(info, outputCapacity_);
        return chunkOut_.view();
    }
    std::int64_t deliver(const Rect& core) override {
        sink_.write(core, chunkOut_.view());
        return chunkOut_.bytes();
    }
    void commit() override { sink_.commit(); }
    void abort() noexcept override { sink_.abort(); }

private:
    const Source& source_;
    Sink& sink_;
    ImageInfo output_;
    std::int64_t inputCapacity_;
    std::int64_t outputCapacity_;
    detail::Lease chunkOut_;
};

// Keeps nothing: gatherStatistics() streams a source through passes that write no pixels.
class DiscardSink final : public Sink {
public:
    void begin(const ImageInfo&) override {}
    void write(const Rect&, ConstImageView) override {}
    void commit() override {}
    void abort() noexcept override {}
};

class Runner {
public:
    Runner(const EngineOptions& options, const Operation& op, const ImageInfo& input, bool inMemory,
           const RunControl& control)
        : op_(op),
          input_(input),
          state_(control, std::string(op.id()),
                 options.threads > 0 ? options.threads : omp_get_max_threads()) {
        const std::int64_t radius = op.radius();
        overlap_ = options.overlap.value_or(radius);
        if (overlap_ < radius) {
            const std::string what = "overlap " + std::to_string(overlap_) +
                                     " is smaller than the radius " + std::to_string(radius) +
                                     " that '" + std::string(op.id()) + "' needs";
            if (options.overlapPolicy == OverlapPolicy::Error) {
                throw InvalidArgument(what + "; use an overlap of at least " +
                                      std::to_string(radius));
            }
            notes_.push_back(what + ": raised to " + std::to_string(radius));
            overlap_ = radius;
        }
        output_ = op.outputInfo(input);
        output_.size = input.size;
        blend_ = options.reconstruction == Reconstruction::Blend;
        Size chunk = options.chunk;
        if (chunk.empty())
            chunk =
                inMemory && !blend_
                    ? input.size
                    : defaultChunk(options.tile, std::max(pixelBytes(input), pixelBytes(output_)));
        const GridSpec spec{options.tile, overlap_};
        if (overlap_ >= spec.tile.width || overlap_ >= spec.tile.height) {
            throw InvalidArgument("tile " + std::to_string(spec.tile.width) + "x" +
                                  std::to_string(spec.tile.height) + " is too small for overlap " +
                                  std::to_string(overlap_) + " ('" + std::string(op.id()) +
                                  "' has radius " + std::to_string(radius) +
                                  "): use tiles larger than the overlap");
        }
        plan_.emplace(Grid(input.size, spec), chunk, blend_, radius);
        if (!inMemory)
            fitChunkBuffers(options.chunk.empty(), spec, radius);
    }

    const ImageInfo& outputInfo() const { return output_; }
    const detail::ChunkPlan& plan() const { return *plan_; }

    // Runs the statistics passes only; their tiles make up the whole of the progress.
    StatisticsList gatherStatistics(Endpoints& io) {
        const int passes = op_.statisticsPasses(input_);
        state_.setTotals(passes, input_.channels, plan_->count() * passes,
                         plan_->grid().count() * passes, input_.size.area() * passes);
        try {
            StatisticsList statistics = statisticsPasses(io, passes);
            throwIfStopped();
            return statistics;
        } catch (const std::exception& e) {
            state_.reportError(e.what());
            throw;
        }
    }

    RunReport run(Endpoints& io) {
        const int passes = op_.statisticsPasses(input_) + 1;
        state_.setTotals(passes, input_.channels, plan_->count() * passes,
                         plan_->grid().count() * (passes - 1) + plan_->processingTileCount(),
                         input_.size.area() * passes);
        try {
            state_.notify([](Callbacks& cb, const RunStats& s) { cb.onStart(s); });
            const StatisticsList statistics = statisticsPasses(io, passes - 1);
            state_.startPass(passes - 1);
            process(io, statistics);
            throwIfStopped();
            io.commit();
            RunReport report{state_.snapshot(), overlap_, notes_, op_.measurements(statistics)};
            state_.notify([](Callbacks& cb, const RunStats& s) { cb.onEnd(s); });
            return report;
        } catch (const std::exception& e) {
            io.abort();
            state_.reportError(e.what());
            throw;
        }
    }

private:
    // Runs statistics passes 0 .. count - 1, each seeing the merged results of the earlier ones.
    StatisticsList statisticsPasses(Endpoints& io, int count) {
        StatisticsList statistics;
        for (int pass = 0; pass < count; ++pass) {
            state_.startPass(pass);
            statistics.push_back(gather(io, pass, statistics));
        }
        return statistics;
    }

    // Streaming runs hold chunk buffers within ResourceLimits::maxMemoryBytes: the default
    // chunk is halved (down to one tile) until they fit; a chunk the caller chose must fit.
    void fitChunkBuffers(bool shrink, const GridSpec& spec, std::int64_t radius) {
        const ResourceLimits limits = resourceLimits();
        Size chunk = plan_->largestCore();
        while (shrink && chunkBufferBytes(*plan_, input_, output_) > limits.maxMemoryBytes &&
               (chunk.width > spec.tile.width || chunk.height > spec.tile.height)) {
            chunk = {std::max(spec.tile.width, chunk.width / 2),
                     std::max(spec.tile.height, chunk.height / 2)};
            plan_.emplace(Grid(input_.size, spec), chunk, blend_, radius);
        }
        limits.checkMemory("one chunk of " + std::to_string(chunk.width) + "x" +
                               std::to_string(chunk.height) +
                               " pixels (its input and output buffers)",
                           chunkBufferBytes(*plan_, input_, output_));
    }

    void throwIfStopped() const {
        if (state_.stopRequested())
            throw Cancelled();
    }

    // Reads chunk inputs one ahead of the chunk being processed.
    template <typename PerChunk>
    void forEachChunk(Endpoints& io, bool processing, PerChunk&& perChunk) {
        auto startFetch = [&](std::int64_t k) {
            const Rect region = plan_->inputRect(plan_->chunk(k), processing);
            return std::async(std::launch::async,
                              [&io, this, region] { return io.fetch(region, state_.pool()); });
        };
        std::future<ChunkInput> next = startFetch(0);
        for (std::int64_t k = 0; k < plan_->count(); ++k) {
            const detail::Chunk chunk = plan_->chunk(k);
            const Rect inRect = plan_->inputRect(chunk, processing);
            ChunkInput input = next.get();
            throwIfStopped();
            if (k + 1 < plan_->count())
                next = startFetch(k + 1);
            state_.notify(
                [&](Callbacks& cb, const RunStats& s) { cb.onChunkStart(chunk.core, s); });
            const std::int64_t written =
                perChunk(chunk, plan_->tiles(chunk, processing), input.view, inRect);
            const std::int64_t read = input.buffer.empty() ? 0 : input.buffer.bytes();
            state_.chunkDone(read, written);
            state_.notify([&](Callbacks& cb, const RunStats& s) { cb.onChunkEnd(chunk.core, s); });
        }
    }

    std::unique_ptr<Statistics> gather(Endpoints& io, int pass, const StatisticsList& earlier) {
        std::vector<std::unique_ptr<Statistics>> perWorker;
        perWorker.reserve(static_cast<std::size_t>(state_.threads()));
        for (int t = 0; t < state_.threads(); ++t) {
            perWorker.push_back(op_.newStatistics(pass, input_, earlier));
        }
        forEachChunk(io, false,
                     [&](const detail::Chunk& chunk, const detail::ChunkTiles& tiles,
                         ConstImageView in, const Rect& inRect) {
                         state_.forEachTile(tiles, chunk.core,
                                            [&](const Tile& t, std::size_t, std::size_t worker) {
                                                perWorker[worker]->add(
                                                    in.region(t.halo.relativeTo(inRect)), t.halo,
                                                    t.core);
                                            });
                         return std::int64_t{0};
                     });
        for (std::size_t t = 1; t < perWorker.size(); ++t)
            perWorker[0]->merge(*perWorker[t]);
        return std::move(perWorker[0]);
    }

    void process(Endpoints& io, const StatisticsList& statistics) {
        forEachChunk(
            io, true,
            [&](const detail::Chunk& chunk, const detail::ChunkTiles& tiles, ConstImageView in,
                const Rect& inRect) {
                ImageView out = io.target(chunk.core, state_.pool());
                if (blend_) {
                    blendChunk(chunk, tiles, in, inRect, out, statistics);
                } else {
                    state_.forEachTile(
                        tiles, chunk.core, [&](const Tile& t, std::size_t, std::size_t) {
                            const ImageView result = out.region(t.core.relativeTo(chunk.core));
                            op_.process(in.region(t.halo.relativeTo(inRect)), t.halo, result,
                                        t.core, statistics);
                            return detail::TileViews{in.region(t.core.relativeTo(inRect)), result};
                        });
                }
                return io.deliver(chunk.core);
            });
    }

    // Every tile computes its whole halo, reading the operation's radius around it so that
    // the halo's pixels are exact; the results are then feathered together.
    void blendChunk(const detail::Chunk& chunk, const detail::ChunkTiles& tiles, ConstImageView in,
                    const Rect& inRect, ImageView out, const StatisticsList& statistics) {
        const Rect image = rectOf(input_.size);
        const std::int64_t haloCapacity =
            ImageInfo{plan_->largestHalo(), output_.channels, output_.dtype}.bytes();
        std::vector<Tile> list;
        std::vector<detail::Lease> results;
        for (std::int64_t i = 0; i < tiles.size(); ++i) {
            list.push_back(tiles.at(i));
            ImageInfo info = output_;
            info.size = list.back().halo.size();
            results.push_back(state_.pool().acquire(info, haloCapacity));
        }
        state_.forEachTile(tiles, chunk.core, [&](const Tile& t, std::size_t i, std::size_t) {
            const Rect source = t.halo.grown(op_.radius()).intersected(image);
            op_.process(in.region(source.relativeTo(inRect)), source, results[i].view(), t.halo,
                        statistics);
            // Tiles whose halos reach into a neighbouring chunk are computed for it too; they
            // are shown once, with the chunk that owns their core.
            return detail::TileViews{in.region(t.core.relativeTo(inRect)),
                                     results[i].view().region(t.core.relativeTo(t.halo))};
        });
        throwIfStopped();
        std::vector<ConstImageView> views;
        views.reserve(results.size());
        for (const detail::Lease& r : results)
            views.emplace_back(r.view());
        detail::blendInto(list, views, input_.size, overlap_, chunk.core, out, state_.threads());
    }

    const Operation& op_;
    ImageInfo input_;
    ImageInfo output_;
    detail::RunState state_;
    std::int64_t overlap_ = 0;
    bool blend_ = false;
    std::optional<detail::ChunkPlan> plan_;
    std::vector<std::string> notes_;
};

}  // namespace

TileFlow::TileFlow(EngineOptions options) : options_(options) {}

TileFlow::TileFlow(std::shared_ptr<const Operation> operation, EngineOptions options)
    : options_(options) {
    configure(std::move(operation));
}

TileFlow& TileFlow::configure(std::shared_ptr<const Operation> operation) {
    if (!operation)
        throw InvalidArgument("configure() needs an operation");
    operation_ = std::move(operation);
    return *this;
}

std::optional<double> RunReport::measurement(std::string_view name) const {
    return findMeasurement(measurements, name);
}

RunReport TileFlow::run(ConstImageView input, ImageView output, const RunControl& control) const {
    if (!operation_)
        throw InvalidArgument("run() before configure(): no operation to run");
    Runner runner(options_, *operation_, input.info(), true, control);
    if (output.info() != runner.outputInfo()) {
        throw InvalidArgument("the output view does not match what '" +
                              std::string(operation_->id()) + "' produces for this input");
    }
    if (overlaps(input, output)) {
        throw InvalidArgument(
            "the output view shares memory with the input; tiles would read "
            "pixels that other tiles have already written");
    }
    MemoryEndpoints io(input, output);
    return runner.run(io);
}

Image TileFlow::run(ConstImageView input, const RunControl& control) const {
    if (!operation_)
        throw InvalidArgument("run() before configure(): no operation to run");
    Runner runner(options_, *operation_, input.info(), true, control);
    Image output(runner.outputInfo());
    MemoryEndpoints io(input, output.view());
    runner.run(io);
    return output;
}

StatisticsList TileFlow::gatherStatistics(const Source& source, const RunControl& control) const {
    if (!operation_)
        throw InvalidArgument("gatherStatistics() before configure(): no operation to ask");
    Runner runner(options_, *operation_, source.info(), false, control);
    DiscardSink nothing;
    StreamEndpoints io(source, nothing, runner.outputInfo(), runner.plan());
    return runner.gatherStatistics(io);
}

RunReport TileFlow::run(const Source& source, Sink& sink, const RunControl& control) const {
    if (!operation_)
        throw InvalidArgument("run() before configure(): no operation to run");
    Runner runner(options_, *operation_, source.info(), false, control);
    StreamEndpoints io(source, sink, runner.outputInfo(), runner.plan());
    sink.begin(runner.outputInfo());
    return runner.run(io);
}

}  // namespace tileflow
