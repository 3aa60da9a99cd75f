#include "tileflow/ome_zarr_shards.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <system_error>
#include <utility>

#include "atomic_output.hpp"
#include "ome_zarr_writer.hpp"
#include "tileflow/error.hpp"

namespace tileflow {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

constexpr const char* kMarkers = ".tileflow-shards";
// How shards fill the store, recorded in it. 2: they write the reduced-level chunks over their
// own runs (1, unrecorded: finalize built every reduced level).
constexpr int kLayout = 2;

std::string markerName(Shard shard) {
    return std::to_string(shard.index) + "-of-" + std::to_string(shard.count);
}

[[noreturn]] void fail(const std::string& path, const std::string& what) {
    throw IoError("OME-Zarr store '" + path + "': " + what);
}

// The run of level-0 chunks (row-major numbers [first, last)) that shard `shard` writes.
std::pair<std::int64_t, std::int64_t> chunkRun(std::int64_t chunks, Shard shard) {
    const std::int64_t base = chunks / shard.count, extra = chunks % shard.count;
    const auto share = [&](std::int64_t i) { return i * base + std::min(i, extra); };
    return {share(shard.index), share(shard.index + 1)};
}

// The shard whose run holds level-0 chunk number `index` (the inverse of chunkRun).
std::int64_t shardOfChunk(std::int64_t index, std::int64_t chunks, int count) {
    const std::int64_t base = chunks / count, extra = chunks % count;
    const std::int64_t inLonger = extra * (base + 1);  // the first `extra` runs are one longer
    return index < inLonger ? index / (base + 1) : extra + (index - inLonger) / base;
}

std::int64_t chunksAcross(std::int64_t pixels, std::int64_t chunk) {
    return (pixels + chunk - 1) / chunk;
}

// True when every level-0 chunk below chunk (cx, cy) of `level` lies in one shard's run: that
// shard's writer completes it, as it halves its own chunks level after level. Level-k pixel x
// covers level-0 pixels [x * 2^k, (x + 1) * 2^k), so the chunk covers a rectangle of level-0
// chunks; runs being row-major, it lies in one run when its first and last chunks do.
bool builtByOneShard(Size level0, std::int64_t chunk, int shards, int level, std::int64_t cx,
                     std::int64_t cy) {
    const std::int64_t cols = chunksAcross(level0.width, chunk);
    const std::int64_t rows = chunksAcross(level0.height, chunk);
    const std::int64_t x1 = std::min(cols, (cx + 1) << level) - 1;
    const std::int64_t y1 = std::min(rows, (cy + 1) << level) - 1;
    const std::int64_t first = (cy << level) * cols + (cx << level);
    const std::int64_t last = y1 * cols + x1;
    return shardOfChunk(first, cols * rows, shards) == shardOfChunk(last, cols * rows, shards);
}

// What the pending store records: everything the finished store's metadata depends on.
Json pendingJson(const std::string& name, const ImageInfo& info, int levels,
                 const OmeZarrOptions& options, int shards) {
    return {{"name", name},
            {"shape", {info.channels, info.size.height, info.size.width}},
            {"dtype", detail::zarrDTypeCode(info.dtype)},
            {"chunk", options.chunk},
            {"levels", levels},
            {"compression", detail::zarrCompressionName(options.compression)},
            {"channelNames", options.channelNames},
            {"micronsPerPixel",
             options.micronsPerPixel ? Json(*options.micronsPerPixel) : Json(nullptr)},
            {"shards", shards},
            {"layout", kLayout}};
}

// The store's .zattrs, or null when `path` has none.
Json readAttributes(const std::string& path) {
    std::string text;
    if (!detail::readMetadataFile(path + "/.zattrs", path, text))
        return nullptr;
    try {
        return Json::parse(text);
    } catch (const Json::exception& e) {
        fail(path, ".zattrs is not valid JSON (" + detail::jsonProblem(e) + ")");
    }
}

bool isFinished(const Json& attributes) {
    return attributes.is_object() && attributes.contains("multiscales");
}

// The pending record of the store at `path`; IoError when it is not a pending TileFlow store.
Json readPending(const std::string& path) {
    std::error_code ec;
    if (!fs::exists(path, ec))
        fail(path, "no such store");
    const Json attributes = readAttributes(path);
    if (isFinished(attributes))
        fail(path,
             "already finished (it has multiscales metadata); shards write only into a "
             "store they began: remove it to process it again");
    if (!attributes.is_object() || !attributes.contains("tileflow") ||
        !attributes["tileflow"].is_object() || !attributes["tileflow"].contains("pending"))
        fail(path, "exists and is not a store begun by tileflow shards");
    return attributes["tileflow"]["pending"];
}

DType dtypeFromCode(const std::string& path, const std::string& code) {
    for (const DType t : {DType::U8, DType::I8, DType::U16, DType::I16, DType::U32, DType::F32}) {
        if (detail::zarrDTypeCode(t) == code)
            return t;
    }
    fail(path, "the pending record names an unknown dtype '" + code + "'");
}

struct PendingStore {
    std::string name;
    ImageInfo info;
    OmeZarrOptions options;
    int shards = 1;
};

PendingStore parsePending(const std::string& path, const Json& pending) {
    try {
        PendingStore p;
        p.name = pending.at("name").get<std::string>();
        const auto shape = pending.at("shape").get<std::vector<std::int64_t>>();
        if (shape.size() != 3)
            fail(path, "the pending record's shape is not (c, y, x)");
        p.info = {{shape[2], shape[1]},
                  static_cast<int>(shape[0]),
                  dtypeFromCode(path, pending.at("dtype").get<std::string>())};
        p.options.chunk = pending.at("chunk").get<std::int64_t>();
        p.options.levels = pending.at("levels").get<int>();
        p.options.compression =
            detail::parseZarrCompression(pending.at("compression").get<std::string>());
        p.options.channelNames = pending.at("channelNames").get<std::vector<std::string>>();
        if (!pending.at("micronsPerPixel").is_null())
            p.options.micronsPerPixel = pending.at("micronsPerPixel").get<double>();
        p.shards = pending.at("shards").get<int>();
        if (p.shards < 1)
            fail(path, "the pending record names no shards");
        if (pending.value("layout", 1) != kLayout)
            fail(path,
                 "was begun by another version of TileFlow, whose shards build the pyramid "
                 "differently: remove it and run every shard again");
        return p;
    } catch (const Json::exception& e) {
        fail(path, "malformed pending record (" + detail::jsonProblem(e) + ")");
    } catch (const InvalidArgument& e) {
        fail(path, std::string("malformed pending record (") + e.what() + ")");
    }
}

// Makes sure `path` is a pending store with exactly `pending`, creating it when absent. Several
// shards may race here: each prepares a complete store under a name of its own and renames
// it into place; the losers find the winner's and check it.
void preparePendingStore(const std::string& path, const Json& pending, const ImageInfo& info,
                         const std::vector<Size>& levels, const OmeZarrOptions& options) {
    std::error_code ec;
    const bool exists = fs::exists(path, ec);
    if (ec)
        fail(path, "cannot look at it: " + ec.message());
    if (!exists) {
        const std::string temp = detail::uniquePathBeside(path, "tmp");
        try {
            if (::mkdir(temp.c_str(), 0777) != 0)
                fail(path, "cannot create '" + temp + "': " + detail::errnoText(errno));
            detail::writeJson(temp + "/.zgroup", {{"zarr_format", 2}});
            detail::writeJson(temp + "/.zattrs", {{"tileflow", {{"pending", pending}}}});
            for (std::size_t i = 0; i < levels.size(); ++i)
                detail::writeOmeZarrArray(temp, static_cast<int>(i), info, levels[i], options);
            if (::mkdir((temp + "/" + kMarkers).c_str(), 0777) != 0)
                fail(path,
                     "cannot create '" + temp + "/" + kMarkers + "': " + detail::errnoText(errno));
            detail::syncFileSystem(temp);
        } catch (...) {
            fs::remove_all(temp, ec);
            throw;
        }
        if (std::rename(temp.c_str(), path.c_str()) != 0) {
            const int err = errno;
            fs::remove_all(temp, ec);
            if (err != EEXIST && err != ENOTEMPTY)
                fail(path, "cannot create it: " + detail::errnoText(err));
        }
    }
    const Json existing = readPending(path);
    if (existing == pending)
        return;
    std::string differs = "settings";
    for (const auto& [key, value] : pending.items()) {
        if (!existing.contains(key) || existing[key] != value) {
            differs = key + " (" + (existing.contains(key) ? existing[key].dump() : "none") +
                      " there, " + value.dump() + " here)";
            break;
        }
    }
    fail(path, "was begun with a different " + differs +
                   ": every shard must be run with the same input and options");
}

// Writes the chunks of the reduced levels that no shard could build (those over a boundary
// between two shards' runs), level by level, each from the 2x2 chunks above it in the store.
void buildSharedChunks(const std::string& path, const PendingStore& store,
                       const std::vector<Size>& levels) {
    const ImageInfo& info = store.info;
    const std::int64_t chunk = store.options.chunk;
    for (std::size_t k = 1; k < levels.size(); ++k) {
        const auto level = static_cast<int>(k);
        const ZarrSource above(path + "/" + std::to_string(k - 1));
        // Given the chunks of level k - 1, it completes and writes those of level k.
        detail::OmeZarrChunkWriter writer(
            path, info, chunk, detail::omeZarrCodec(store.options.compression),
            std::vector<Size>(levels.begin(), levels.begin() + level + 1), level);
        const std::int64_t cols = chunksAcross(levels[k].width, chunk);
        const std::int64_t rows = chunksAcross(levels[k].height, chunk);
        for (std::int64_t cy = 0; cy < rows; ++cy) {
            for (std::int64_t cx = 0; cx < cols; ++cx) {
                if (builtByOneShard(info.size, chunk, store.shards, level, cx, cy))
                    continue;
                const Rect source =
                    Rect{2 * cx * chunk, 2 * cy * chunk, 2 * chunk, 2 * chunk}.intersected(
                        rectOf(levels[k - 1]));
                Image pixels(ImageInfo{source.size(), info.channels, info.dtype});
                above.read(source, pixels.view());
                writer.deliver(level - 1, source, pixels.view());
            }
            writer.flush();  // a row of chunks at a time: encoded on several threads
        }
    }
}

}  // namespace

std::vector<Rect> shardRegions(Size image, std::int64_t chunk, Shard shard) {
    if (shard.count < 1 || shard.index < 0 || shard.index >= shard.count)
        throw InvalidArgument("shard " + std::to_string(shard.index) + "/" +
                              std::to_string(shard.count) + " does not exist: shards are 0/" +
                              std::to_string(shard.count) + " to " +
                              std::to_string(shard.count - 1) + "/" + std::to_string(shard.count));
    if (chunk <= 0 || image.empty())
        throw InvalidArgument("shardRegions() needs a positive chunk size and a non-empty image");
    const std::int64_t cols = (image.width + chunk - 1) / chunk;
    const std::int64_t rows = (image.height + chunk - 1) / chunk;
    auto [first, last] = chunkRun(cols * rows, shard);
    std::vector<Rect> regions;
    // Chunks [from, to) of one row of chunks, or of whole rows, as a rectangle of pixels.
    const auto add = [&](std::int64_t col0, std::int64_t col1, std::int64_t row0,
                         std::int64_t row1) {
        regions.push_back(
            Rect{col0 * chunk, row0 * chunk, (col1 - col0) * chunk, (row1 - row0) * chunk}
                .intersected(rectOf(image)));
    };
    if (first < last && first % cols != 0) {  // a partial first row
        const std::int64_t row = first / cols;
        const std::int64_t end = std::min(last, (row + 1) * cols);
        add(first % cols, end - row * cols, row, row + 1);
        first = end;
    }
    if (last - first >= cols) {  // whole rows
        const std::int64_t rowsWhole = (last - first) / cols;
        add(0, cols, first / cols, first / cols + rowsWhole);
        first += rowsWhole * cols;
    }
    if (first < last)  // a partial last row
        add(0, last - first, first / cols, first / cols + 1);
    return regions;
}

struct OmeZarrShardSink::State {
    ImageInfo info;
    std::vector<Rect> regions;
    std::int64_t chunks = 0;  // this shard's
    std::unique_ptr<detail::OmeZarrChunkWriter> writer;
    std::int64_t imageChunks = 0;
};

OmeZarrShardSink::OmeZarrShardSink(std::string path, OmeZarrOptions options, Shard shard)
    : path_(std::move(path)), options_(std::move(options)), shard_(shard) {}

OmeZarrShardSink::~OmeZarrShardSink() {
    abort();
}

void OmeZarrShardSink::begin(const ImageInfo& info) {
    abort();
    const std::vector<Size> levels = detail::omeZarrLevelSizes(path_, info, options_);
    auto state = std::make_unique<State>();
    state->info = info;
    state->regions = shardRegions(info.size, options_.chunk, shard_);
    const std::int64_t chunk = options_.chunk;
    const std::int64_t cols = (info.size.width + chunk - 1) / chunk;
    state->imageChunks = cols * ((info.size.height + chunk - 1) / chunk);
    const auto [first, last] = chunkRun(state->imageChunks, shard_);
    state->chunks = last - first;
    const Json pending = pendingJson(fs::path(path_).filename().string(), info,
                                     static_cast<int>(levels.size()), options_, shard_.count);
    preparePendingStore(path_, pending, info, levels, options_);
    // A shard run again is unfinished until it commits again: finalize must not take its
    // half-rewritten chunks for the ones it had finished.
    const std::string marker = path_ + "/" + kMarkers + "/" + markerName(shard_);
    if (::unlink(marker.c_str()) == 0)
        detail::syncFileSystem(path_);
    else if (errno != ENOENT)
        fail(path_, "cannot remove '" + marker + "': " + detail::errnoText(errno));
    state->writer = std::make_unique<detail::OmeZarrChunkWriter>(
        path_, info, chunk, detail::omeZarrCodec(options_.compression), levels, 0);
    // A reduced chunk over another shard's chunks too never completes here: not started, it
    // holds no memory (finalize builds it).
    state->writer->buildOnly([size = info.size, chunk, shards = shard_.count](
                                 int level, std::int64_t cx, std::int64_t cy) {
        return builtByOneShard(size, chunk, shards, level, cx, cy);
    });
    state_ = std::move(state);
}

void OmeZarrShardSink::write(const Rect& region, ConstImageView pixels) {
    if (!state_)
        throw InvalidArgument("OmeZarrShardSink '" + path_ +
                              "': write() called outside begin()/commit()");
    const State& s = *state_;
    if (region.empty())
        return;
    if (std::none_of(s.regions.begin(), s.regions.end(),
                     [&](const Rect& mine) { return mine.contains(region); }))
        throw InvalidArgument("OmeZarrShardSink '" + path_ + "': a region outside shard " +
                              std::to_string(shard_.index) + "/" + std::to_string(shard_.count));
    if (pixels.info() != ImageInfo{region.size(), s.info.channels, s.info.dtype})
        throw InvalidArgument("OmeZarrShardSink '" + path_ + "': pixels of the wrong shape");
    try {
        s.writer->deliver(0, region, pixels);
        s.writer->flush();
    } catch (const InvalidArgument& e) {
        throw InvalidArgument("OmeZarrShardSink '" + path_ + "': " + e.what());
    } catch (const IoError& e) {
        fail(path_, e.what());
    }
}

void OmeZarrShardSink::commit() {
    if (!state_)
        throw InvalidArgument("OmeZarrShardSink '" + path_ + "': commit() called without begin()");
    const State& s = *state_;
    const std::int64_t written = s.imageChunks - s.writer->incompleteChunks(0);
    if (written != s.chunks)
        fail(path_, "shard " + std::to_string(shard_.index) + "/" + std::to_string(shard_.count) +
                        " committed with " + std::to_string(s.chunks - written) + " of its " +
                        std::to_string(s.chunks) + " chunks incomplete");
    detail::syncFileSystem(path_);
    const std::string markers = path_ + "/" + kMarkers;
    std::error_code ec;
    fs::create_directories(markers, ec);
    detail::writeWholeFile(markers + "/" + markerName(shard_), nullptr, 0);
    detail::syncFileSystem(path_);
    state_.reset();
}

void OmeZarrShardSink::abort() noexcept {
    state_.reset();
}

std::vector<int> missingShards(const std::string& path) {
    const PendingStore store = parsePending(path, readPending(path));
    std::vector<int> missing;
    std::error_code ec;
    for (int i = 0; i < store.shards; ++i) {
        if (!fs::exists(path + "/" + kMarkers + "/" + markerName({i, store.shards}), ec))
            missing.push_back(i);
    }
    return missing;
}

bool finalizeOmeZarr(const std::string& path, const std::string& destination) {
    std::error_code ec;
    if (fs::exists(path, ec) && isFinished(readAttributes(path))) {
        // Finished before, perhaps by a finalize that stopped before removing the markers.
        // Not moved to `destination`: a finalize cut off after its swap leaves the old store
        // here, which must not go back over the new one.
        fs::remove_all(path + "/" + kMarkers, ec);
        return false;
    }
    const PendingStore store = parsePending(path, readPending(path));
    if (const std::vector<int> missing = missingShards(path); !missing.empty()) {
        std::string list;
        for (const int i : missing)
            list += (list.empty() ? "" : ", ") + std::to_string(i);
        fail(path, "cannot finish it: shard" + std::string(missing.size() > 1 ? "s " : " ") + list +
                       " of " + std::to_string(store.shards) + " ha" +
                       (missing.size() > 1 ? "ve" : "s") + " not finished");
    }
    const ImageInfo& info = store.info;
    const std::vector<Size> levels = detail::omeZarrLevelSizes(path, info, store.options);
    buildSharedChunks(path, store, levels);
    const auto count = static_cast<int>(levels.size());
    detail::syncFileSystem(path);
    if (!destination.empty() && fs::exists(destination, ec) && !detail::isZarrStore(destination))
        fail(destination, "something that is not a zarr store exists there");
    const std::string name =
        destination.empty() ? store.name : fs::path(destination).filename().string();
    detail::replaceJson(path + "/.zattrs",
                        detail::omeZarrAttributes(name, info, count, store.options));
    fs::remove_all(path + "/" + kMarkers, ec);
    detail::syncFileSystem(path);
    if (!destination.empty()) {
        try {
            detail::moveStoreIntoPlace(path, destination);
        } catch (const IoError& e) {
            fail(destination, e.what());
        }
    }
    return true;
}

}  // namespace tileflow
