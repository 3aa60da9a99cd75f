// Internal: what OmeZarrSink, OmeZarrShardSink and finalizeOmeZarr share: the store's
// geometry and metadata documents, and the assembly of chunks from regions into files.
//
// Everything written is a function of the pixels and the options alone (no time stamps, no
// thread-dependent order), so a store filled in pieces by several processes is byte for byte
// the store one OmeZarrSink writes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "tileflow/zarr.hpp"
#include "zarr_format.hpp"

namespace tileflow::detail {

// The codec and level each ZarrCompression writes with, and its command-line name.
ZarrCodec omeZarrCodec(ZarrCompression compression);
std::string zarrCompressionName(ZarrCompression compression);
ZarrCompression parseZarrCompression(const std::string& name);  // throws InvalidArgument

// Validates `options` for an image of `info` (InvalidArgument naming `path` otherwise) and
// returns the level sizes: level 0 is the image, each next one halved, until options.levels
// levels or, when that is 0, until the smaller side is at most the chunk.
std::vector<Size> omeZarrLevelSizes(const std::string& path, const ImageInfo& info,
                                    const OmeZarrOptions& options);

// Writes `<folder>/<level>/.zarray` for one level of the store.
void writeOmeZarrArray(const std::string& folder, int level, const ImageInfo& info, Size size,
                       const OmeZarrOptions& options);
// The group's .zattrs: NGFF 0.4 multiscales over `levels` levels and omero channels. `name`
// is the store's final folder name.
nlohmann::json omeZarrAttributes(const std::string& name, const ImageInfo& info, int levels,
                                 const OmeZarrOptions& options);

// Writes `size` bytes to `file` (created or truncated); IoError on failure.
void writeWholeFile(const std::string& file, const std::byte* data, std::size_t size);
void writeJson(const std::string& file, const nlohmann::json& doc);
// Writes `doc` to `file` through a temporary file beside it and a rename, so that readers
// see the old document or the new one, never part of one.
void replaceJson(const std::string& file, const nlohmann::json& doc);
// Flushes the file system holding `folder` (syncfs); IoError on failure.
void syncFileSystem(const std::string& folder);
// True for a folder holding .zgroup or .zarray.
bool isZarrStore(const std::string& path);
// Renames the finished store `temp` to `path`. An existing zarr store at `path` is replaced in
// one step (the two are swapped, then the old one deleted); anything else there is refused.
// IoError on failure, with `temp` left as it was.
void moveStoreIntoPlace(const std::string& temp, const std::string& path);

// Assembles the chunks of a pyramid from regions delivered in any order and writes those of
// levels >= `firstWrittenLevel` as `<folder>/<level>/<channel>/<row>/<col>`. A completed
// chunk of level k feeds its 2x2 mean to level k+1 (when there is one); chunks partly
// covered wait in memory. One thread drives it; flush() encodes on several.
class OmeZarrChunkWriter {
public:
    OmeZarrChunkWriter(std::string folder, ImageInfo info, std::int64_t chunk, ZarrCodec codec,
                       const std::vector<Size>& levelSizes, int firstWrittenLevel);

    // Copies `pixels`, the pixels of `region` of `level`, into the chunks they touch.
    // InvalidArgument when they overlap pixels delivered before.
    void deliver(int level, const Rect& region, ConstImageView pixels);
    // Encodes and writes the chunks completed since the last flush.
    void flush();
    // Chunks of `level` not yet complete.
    std::int64_t incompleteChunks(int level) const;
    // Builds only the reduced-level chunks (level >= 1, chunk column and row) for which
    // `wanted` is true: others are never started, and hold no memory. All by default.
    using ChunkFilter = std::function<bool(int level, std::int64_t cx, std::int64_t cy)>;
    void buildOnly(ChunkFilter wanted) { wanted_ = std::move(wanted); }

private:
    struct Pending {
        std::shared_ptr<std::vector<std::byte>> data;
        std::int64_t remaining = 0;
    };
    struct Level {
        Size size;
        std::int64_t gridX = 0, gridY = 0;
        std::int64_t completed = 0;
        std::unordered_map<std::int64_t, Pending> pending;
    };
    struct Job {
        int level;
        std::int64_t cx, cy;
        std::shared_ptr<const std::vector<std::byte>> data;
    };

    std::int64_t planeBytes() const;
    void complete(int level, std::int64_t cx, std::int64_t cy, const Rect& bounds,
                  const std::shared_ptr<std::vector<std::byte>>& data);

    std::string folder_;
    ImageInfo info_;
    std::int64_t chunk_;
    ZarrCodec codec_;
    int firstWrittenLevel_;
    ChunkFilter wanted_;
    std::vector<Level> levels_;
    std::vector<Job> jobs_;
    std::unordered_set<std::string> dirs_;
};

}  // namespace tileflow::detail
