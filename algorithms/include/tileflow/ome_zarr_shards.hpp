/// @file
/// One OME-Zarr store filled by several processes, each writing its own share of the chunks,
/// then finished once: for job arrays (Slurm, a shell loop) and MPI ranks.
///
/// @code
///   // in each of n processes, i = 0 .. n-1 (any order, any machine sharing the folder):
///   tileflow::OmeZarrShardSink share("out.zarr", options, {i, n});
///   tileflow::runRegions(flow, source, share, tileflow::shardRegions(size, options.chunk, {i,
///   n}));
///   // once all have finished:
///   tileflow::finalizeOmeZarr("out.zarr");
/// @endcode
///
/// Shares: the level-0 chunks, numbered row by row, are cut into `count` runs of consecutive
/// chunks whose lengths differ by at most one; shard `index` writes the `index`-th run. Every
/// chunk file has one writer, so processes need no coordination beyond the shared folder.
///
/// The pending store: the first shard to begin creates `path` as a zarr group whose .zattrs
/// holds only {"tileflow": {"pending": ...}} (the image's shape, dtype, options, the number
/// of shards) and whose level arrays "0", "1", ... are declared; later shards check they were
/// started with the same settings. It has no "multiscales", so no OME-Zarr reader takes it for an
/// image; ZarrSource refuses it naming the shards still missing. A shard that commits leaves
/// the marker `.tileflow-shards/<index>-of-<count>`; running a shard again rewrites its chunks.
///
/// The pyramid: a shard also writes every chunk of the reduced levels whose level-0 pixels all
/// lie in its own run (each level-k chunk is the 2x2 mean of the level-(k-1) chunks below
/// it), so most of the pyramid is built where level 0 is. finalizeOmeZarr() checks every
/// marker is there, builds the rest — the chunks over a boundary between two runs, about one
/// row of chunks per shard and level — from the level above each in the store, writes the
/// multiscales metadata (the commit point: it replaces .zattrs in one rename) and removes the
/// markers. The finished store is byte for byte the one OmeZarrSink writes for the same pixels and
/// options.
///
/// Errors: tileflow::IoError naming the store: a store begun with other settings or by other
/// writers, an existing store that is complete or not a pending TileFlow store, missing shards,
/// I/O failures. A shard or region that does not fit throws InvalidArgument.
/// Thread-safety: as any Sink, a shard sink is driven by one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tileflow/source.hpp"
#include "tileflow/zarr.hpp"

namespace tileflow {

/// Which share of a store's chunks one process writes: shard `index` of `count`.
struct Shard {
    int index = 0;  ///< 0 .. count - 1
    int count = 1;  ///< how many shards share the store
};

/// The level-0 rectangles of shard `shard` of an image of `image` size cut into chunks of
/// `chunk` pixels: its run of chunks as at most three rectangles (a partial first row of
/// chunks, whole rows, a partial last row), clipped to the image. Empty when there are more
/// shards than chunks and this one gets none. InvalidArgument for a shard outside 0..count-1.
std::vector<Rect> shardRegions(Size image, std::int64_t chunk, Shard shard);

/// Writes one shard's chunks of level 0 into the pending store at `path` (created by begin()
/// when absent). write() takes regions of the whole image inside this shard's chunks only;
/// commit() checks every one of its chunks is complete, flushes and writes the marker.
/// abort() leaves the chunks written so far (a rerun rewrites them) and no marker.
class OmeZarrShardSink final : public Sink {
public:
    /// Will write shard `shard` of `path`; nothing is created before begin().
    OmeZarrShardSink(std::string path, OmeZarrOptions options, Shard shard);
    ~OmeZarrShardSink() override;
    OmeZarrShardSink(const OmeZarrShardSink&) = delete;
    OmeZarrShardSink& operator=(const OmeZarrShardSink&) = delete;

    void begin(const ImageInfo& info) override;
    void write(const Rect& region, ConstImageView pixels) override;
    void commit() override;
    void abort() noexcept override;

private:
    struct State;
    std::string path_;
    OmeZarrOptions options_;
    Shard shard_;
    std::unique_ptr<State> state_;
};

/// The shards of the pending store at `path` that have not committed yet (empty when all
/// have). IoError when `path` is not a pending TileFlow store.
std::vector<int> missingShards(const std::string& path);

/// Finishes the pending store at `path` (see above). Returns false when the store is already
/// a finished OME-Zarr image, after removing markers an interrupted finalize left (it is not
/// moved to `destination` then). With a `destination`, the finished store is
/// then renamed to it (an existing zarr store there is replaced in one step, anything else
/// refused) and named after it in its metadata: for stores filled under a temporary name.
bool finalizeOmeZarr(const std::string& path, const std::string& destination = {});

}  // namespace tileflow
