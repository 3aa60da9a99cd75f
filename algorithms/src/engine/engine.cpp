#include "tileflow/engine.hpp"

#include <omp.h>

#include <future>
#include <utility>

#include "blend.hpp"
#include "chunk_plan.hpp"
#include "run_state.hpp"
#include "tileflow/error.hpp"

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

constexpr Size kDefaultChunk{4096, 4096};

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
};

class MemoryEndpoints final : public Endpoints {
public:
    MemoryEndpoints(ConstImageView in, ImageView out) : in_(in), out_(out) {}
    ChunkInput fetch(const Rect& region, detail::BufferPool&) override {
        return {detail::Lease(), in_.region(region)};
    }
    ImageView target(const Rect& core, detail::BufferPool&) override { return out_.region(core); }
    std::int64_t deliver(const Rect&) override { return 0; }

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

private:
    const Source& source_;
    Sink& sink_;
    ImageInfo output_;
    std::int64_t inputCapacity_;
    std::int64_t outputCapacity_;
    detail::Lease chunkOut_;
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
            chunk = inMemory && !blend_ ? input.size : kDefaultChunk;
        plan_.emplace(Grid(input.size, GridSpec{options.tile, overlap_}), chunk, blend_);
    }

    const ImageInfo& outputInfo() const { return output_; }
    const detail::ChunkPlan& plan() const { return *plan_; }

    RunReport run(Endpoints& io) {
        const int passes = op_.statisticsPasses(input_) + 1;
        std::int64_t processTiles = 0;
        for (std::int64_t k = 0; k < plan_->count(); ++k) {
            processTiles +=
                static_cast<std::int64_t>(plan_->contributingTiles(plan_->chunk(k)).size());
        }
        state_.setTotals(passes, input_.channels, plan_->count() * passes,
                         plan_->grid().count() * (passes - 1) + processTiles,
                         input_.size.area() * passes);
        state_.notify([](Callbacks& cb, const RunStats& s) { cb.onStart(s); });
        try {
            StatisticsList statistics;
            for (int pass = 0; pass < passes; ++pass) {
                state_.startPass(pass);
                if (pass + 1 < passes) {
                    statistics.push_back(gather(io, pass, statistics));
                } else {
                    process(io, statistics);
                }
            }
            RunReport report{state_.snapshot(), overlap_, notes_, op_.measurements(statistics)};
            state_.notify([](Callbacks& cb, const RunStats& s) { cb.onEnd(s); });
            return report;
        } catch (const std::exception& e) {
            state_.reportError(e.what());
            throw;
        }
    }

private:
    // Reads chunk inputs one ahead of the chunk being processed.
    template <typename PerChunk>
    void forEachChunk(Endpoints& io, bool processing, PerChunk&& perChunk) {
        auto tilesOf = [&](const detail::Chunk& c) {
            return processing ? plan_->contributingTiles(c) : plan_->ownTiles(c);
        };
        auto startFetch = [&](std::int64_t k) {
            const Rect region = plan_->inputRect(tilesOf(plan_->chunk(k)));
            return std::async(std::launch::async,
                              [&io, this, region] { return io.fetch(region, state_.pool()); });
        };
        std::future<ChunkInput> next = startFetch(0);
        for (std::int64_t k = 0; k < plan_->count(); ++k) {
            const detail::Chunk chunk = plan_->chunk(k);
            const std::vector<Tile> tiles = tilesOf(chunk);
            const Rect inRect = plan_->inputRect(tiles);
            ChunkInput input = next.get();
            if (k + 1 < plan_->count())
                next = startFetch(k + 1);
            state_.notify(
                [&](Callbacks& cb, const RunStats& s) { cb.onChunkStart(chunk.core, s); });
            const std::int64_t written = perChunk(chunk, tiles, input.view, inRect);
            const std::int64_t read = input.buffer.empty() ? 0 : input.buffer.bytes();
            state_.chunkDone(read, written);
            state_.notify([&](Callbacks& cb, const RunStats& s) { cb.onChunkEnd(chunk.core, s); });
        }
    }

    std::unique_ptr<Statistics> gather(Endpoints& io, int pass, const StatisticsList& earlier) {
        std::vector<std::unique_ptr<Statistics>> perWorker;
        for (int t = 0; t < state_.threads(); ++t) {
            perWorker.push_back(op_.newStatistics(pass, input_, earlier));
        }
        forEachChunk(io, false,
                     [&](const detail::Chunk& chunk, const std::vector<Tile>& tiles,
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
        forEachChunk(io, true,
                     [&](const detail::Chunk& chunk, const std::vector<Tile>& tiles,
                         ConstImageView in, const Rect& inRect) {
                         ImageView out = io.target(chunk.core, state_.pool());
                         if (blend_) {
                             blendChunk(chunk, tiles, in, inRect, out, statistics);
                         } else {
                             state_.forEachTile(
                                 tiles, chunk.core, [&](const Tile& t, std::size_t, std::size_t) {
                                     op_.process(in.region(t.halo.relativeTo(inRect)), t.halo,
                                                 out.region(t.core.relativeTo(chunk.core)), t.core,
                                                 statistics);
                                 });
                         }
                         return io.deliver(chunk.core);
                     });
    }

    void blendChunk(const detail::Chunk& chunk, const std::vector<Tile>& tiles, ConstImageView in,
                    const Rect& inRect, ImageView out, const StatisticsList& statistics) {
        const std::int64_t haloCapacity =
            ImageInfo{plan_->largestHalo(), output_.channels, output_.dtype}.bytes();
        std::vector<detail::Lease> results;
        results.reserve(tiles.size());
        for (const Tile& t : tiles) {
            ImageInfo info = output_;
            info.size = t.halo.size();
            results.push_back(state_.pool().acquire(info, haloCapacity));
        }
        state_.forEachTile(tiles, chunk.core, [&](const Tile& t, std::size_t i, std::size_t) {
            op_.process(in.region(t.halo.relativeTo(inRect)), t.halo, results[i].view(), t.halo,
                        statistics);
        });
        std::vector<ConstImageView> views;
        for (const detail::Lease& r : results)
            views.push_back(r.view());
        detail::blendInto(tiles, views, input_.size, overlap_, chunk.core, out, state_.threads());
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

TileFlow& TileFlow::configure(std::shared_ptr<const Operation> operation) {
    if (!operation)
        throw InvalidArgument("configure() needs an operation");
    operation_ = std::move(operation);
    return *this;
}

RunReport TileFlow::run(ConstImageView input, ImageView output, const RunControl& control) const {
    if (!operation_)
        throw InvalidArgument("run() before configure(): no operation to run");
    Runner runner(options_, *operation_, input.info(), true, control);
    if (output.info() != runner.outputInfo()) {
        throw InvalidArgument("the output view does not match what '" +
                              std::string(operation_->id()) + "' produces for this input");
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

RunReport TileFlow::run(const Source& source, Sink& sink, const RunControl& control) const {
    if (!operation_)
        throw InvalidArgument("run() before configure(): no operation to run");
    Runner runner(options_, *operation_, source.info(), false, control);
    StreamEndpoints io(source, sink, runner.outputInfo(), runner.plan());
    sink.begin(runner.outputInfo());
    try {
        RunReport report = runner.run(io);
        sink.commit();
        return report;
    } catch (...) {
        sink.abort();
        throw;
    }
}

}  // namespace tileflow
