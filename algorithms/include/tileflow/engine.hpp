/// @file
/// The tiling engine.
///
/// @code
///   auto op = tileflow::createOperation("sobel");
///   tileflow::TileFlow flow({.tile = {512, 512}});
///   tileflow::Image edges = flow.configure(op).run(image);
///   // or, configured once and for all:
///   const tileflow::TileFlow sobel(op, {.tile = {512, 512}});
/// @endcode
///
/// A run cuts the image into the tiles of a Grid (see grid.hpp) and runs the configured
/// operation on each tile's halo in parallel (OpenMP). Reconstruction:
///   - Crop: each tile writes its core. For an operation whose radius is at most the overlap
///     the result is bit-identical to processing the whole image at once.
///   - Blend: each tile computes its whole halo (reading the operation's radius around it, so
///     the halo's own pixels are exact); overlapping results are feathered with
///     weights that fall linearly to zero towards the halo edge (and stay 1 at the image
///     border), then normalised. Meant for operations that are not strictly local.
///
/// The overlap defaults to the operation's radius. A smaller overlap is refused
/// (OverlapPolicy::Error) or raised to the radius with a note in the report
/// (OverlapPolicy::Raise): never a silent seam.
///
/// Chunks: the image is processed chunk by chunk. A chunk is a block of whole tiles; its
/// input (the chunk plus the pixels its tiles' halos reach) is read from the Source while the
/// previous chunk is processed, and its finished pixels go to the Sink. Peak memory therefore
/// depends on chunk and tile size, not on the image size. Results do not depend on the chunk
/// size: chunked and whole-image runs give identical pixels in both reconstruction modes.
/// In-memory runs read tiles straight from the input view and write crop results straight
/// into the output, copying nothing.
///
/// Callbacks are called from the worker threads and the calling thread, but never
/// concurrently (the engine serialises them), so a callback needs no lock of its own; keep
/// them short, they hold up the workers. A callback that throws fails the run like a failing
/// tile; onEnd comes after the sink has committed.
///
/// Errors: options or inputs the operation cannot take throw tileflow::InvalidArgument before
/// anything starts (no callbacks). Once started, a failure calls onError and is rethrown:
/// source and sink errors as they are, a failing tile as a tileflow::Error naming the tile
/// with the original exception nested (std::rethrow_if_nested).
///
/// Cancellation is cooperative: the stop token is checked before each tile and chunk and
/// before committing. A cancelled run throws tileflow::Cancelled. After a failure or a
/// cancellation the sink has been aborted, so no output that looks complete is left; an
/// in-memory output view is left partly written.
///
/// Thread-safety: a configured TileFlow is immutable during runs; concurrent run() calls on
/// one object are safe. configure() must not race with run().
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "tileflow/grid.hpp"
#include "tileflow/image.hpp"
#include "tileflow/operation.hpp"
#include "tileflow/source.hpp"

/// The Qt-free TileFlow library: images, the tiling engine, operations, sources and sinks,
/// monitors. The Qt layer that hosts share is tileflow::plugin.
namespace tileflow {

/// How tile results are put back together; see the file description.
enum class Reconstruction {
    Crop,  ///< each tile writes its core
    Blend  ///< overlapping halo results are feathered together
};
/// What a run does with an overlap smaller than the operation's radius.
enum class OverlapPolicy {
    Error,  ///< refuse it: InvalidArgument
    Raise   ///< use the radius instead, with a note in RunReport::notes
};

/// The mode's name: "crop", "blend".
std::string_view reconstructionName(Reconstruction mode);
/// The mode of a name reconstructionName() gives; nullopt for any other text.
std::optional<Reconstruction> parseReconstruction(std::string_view name);

/// How a TileFlow cuts and schedules its runs.
struct EngineOptions {
    Size tile{512, 512};                                   ///< tile core size in pixels
    std::optional<std::int64_t> overlap;                   ///< default: the operation's radius
    OverlapPolicy overlapPolicy = OverlapPolicy::Error;    ///< for an overlap below the radius
    Reconstruction reconstruction = Reconstruction::Crop;  ///< crop or blend
    /// Chunk size in pixels, rounded up to whole tiles. Zero: for sources, up to 2048 x 2048
    /// pixels and 32 MiB per chunk buffer (fewer pixels for many-channel or float images, at
    /// least one tile, and smaller still when ResourceLimits::maxMemoryBytes asks for it); the
    /// whole image for in-memory crop runs (which need no chunk buffers).
    Size chunk{0, 0};
    int threads = 0;  ///< worker threads; 0 uses OpenMP's default
};

/// Progress of a run, passed to every callback. Counts cover all passes of the run
/// (statistics passes first, then the processing pass).
struct RunStats {
    int pass = 0;                   ///< current pass, 0-based
    int passes = 1;                 ///< statistics passes + 1
    std::int64_t tilesDone = 0;     ///< tiles finished so far
    std::int64_t tilesTotal = 0;    ///< tiles of all passes
    std::int64_t chunksDone = 0;    ///< chunks finished so far
    std::int64_t chunksTotal = 0;   ///< chunks of all passes
    std::int64_t pixelsDone = 0;    ///< core pixels (per channel plane) finished
    std::int64_t pixelsTotal = 0;   ///< core pixels of all passes: the image area per pass
    int channels = 0;               ///< input channels
    std::int64_t bytesRead = 0;     ///< input bytes read from the source
    std::int64_t bytesWritten = 0;  ///< output bytes handed to the sink
    /// Bytes of chunk and tile buffers the engine holds now (kernels' per-thread scratch
    /// rows are not counted).
    std::int64_t engineBytes = 0;
    std::int64_t enginePeakBytes = 0;  ///< the most engineBytes has been during the run
    double elapsedSeconds = 0;         ///< since the run started
};

/// What a run tells its observer. Every member does nothing by default; override those of
/// interest. When and on which thread they are called: see the file description.
class Callbacks {
public:
    virtual ~Callbacks() = default;
    /// Once, before any work (not in gatherStatistics()).
    virtual void onStart(const RunStats&) {}
    /// Once, after the sink has committed (not in gatherStatistics()).
    virtual void onEnd(const RunStats&) {}
    /// Once, when a started run fails or is cancelled, with the error's message.
    virtual void onError(std::string_view /*message*/, const RunStats&) {}
    /// Before the tiles of a chunk are processed; `chunk` is its core, in image pixels.
    virtual void onChunkStart(const Rect& /*chunk*/, const RunStats&) {}
    /// After the tiles of a chunk are done and its result went to the sink.
    virtual void onChunkEnd(const Rect& /*chunk*/, const RunStats&) {}
    /// Before the operation works on a tile.
    virtual void onTileStart(const Tile&, const RunStats&) {}
    /// After a tile is done; `seconds` is the operation's work on that tile.
    virtual void onTileEnd(const Tile&, double /*seconds*/, const RunStats&) {}
    /// The pixels of a tile's core once the processing pass has computed them: `input` (every
    /// channel of the input) and `result` (what this tile computed; in blend mode, before
    /// feathering), both of tile.core's size. Once per tile, not in statistics passes, right
    /// before that tile's onTileEnd (whose seconds do not include this call); the views are
    /// valid only during the call. Callbacks are serialised, so long work here holds up the
    /// other workers' tiles.
    virtual void onTileResult(const Tile&, ConstImageView /*input*/, ConstImageView /*result*/,
                              const RunStats&) {}
};

/// What a caller hands a run besides its input and output.
struct RunControl {
    Callbacks* callbacks = nullptr;  ///< borrowed, may be null
    std::stop_token stop;            ///< a stop request cancels the run (tileflow::Cancelled)
};

/// The outcome of a run that succeeded.
struct RunReport {
    RunStats stats;                         ///< as at the end of the run
    std::int64_t overlap = 0;               ///< overlap actually used
    std::vector<std::string> notes;         ///< e.g. "overlap raised from 1 to 4"
    std::vector<Measurement> measurements;  ///< Operation::measurements() of the run

    /// findMeasurement(measurements, name): empty when the operation reported none of that name.
    std::optional<double> measurement(std::string_view name) const;
};

/// Runs an operation over images tile by tile; see the file description.
class TileFlow {
public:
    /// Not yet configured: configure() before running.
    explicit TileFlow(EngineOptions options = {});
    /// Configured at construction: a const TileFlow made this way can be shared by any
    /// number of threads, since nothing can reconfigure it while they run.
    explicit TileFlow(std::shared_ptr<const Operation> operation, EngineOptions options = {});

    /// Sets the operation that runs use (a null one throws InvalidArgument); returns *this.
    TileFlow& configure(std::shared_ptr<const Operation> operation);
    /// As given at construction.
    const EngineOptions& options() const { return options_; }
    /// The configured operation; null before configure().
    const std::shared_ptr<const Operation>& operation() const { return operation_; }

    /// Processes `input` into `output`, which must have the operation's output info.
    /// `output` must not share memory with `input`. Every run() and gatherStatistics()
    /// throws InvalidArgument when no operation is configured.
    RunReport run(ConstImageView input, ImageView output, const RunControl& control = {}) const;
    /// Processes `input` into a new image.
    Image run(ConstImageView input, const RunControl& control = {}) const;
    /// Streams `source` through the operation into `sink`.
    RunReport run(const Source& source, Sink& sink, const RunControl& control = {}) const;
    /// Runs only the operation's statistics passes over `source` and returns their merged
    /// results, the `statistics` that process() receives in a run over the same source (empty
    /// for operations without statistics passes). Callbacks see the passes' tiles as the
    /// whole run, without onStart/onEnd; a stop request throws tileflow::Cancelled.
    StatisticsList gatherStatistics(const Source& source, const RunControl& control = {}) const;

private:
    EngineOptions options_;
    std::shared_ptr<const Operation> operation_;
};

}  // namespace tileflow
