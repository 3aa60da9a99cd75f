#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <optional>
#include <system_error>
#include <utility>

#include "tileflow/error.hpp"
#include "tileflow/limits.hpp"
#include "tileflow/ome_zarr_shards.hpp"
#include "tileflow/tile_cache.hpp"
#include "tileflow/zarr.hpp"
#include "zarr_format.hpp"

namespace tileflow {

namespace {

using Json = nlohmann::json;

[[noreturn]] void fail(const std::string& store, const std::string& what) {
    throw IoError("cannot read zarr store '" + store + "': " + what);
}

std::string regionText(const Rect& r) {
    return std::to_string(r.width) + "x" + std::to_string(r.height) + "+" + std::to_string(r.x) +
           "+" + std::to_string(r.y);
}

// What to say about a store that shards are still filling (ome_zarr_shards.hpp).
std::string unfinishedProblem(const std::string& store) {
    std::string problem = "an unfinished store written in shards";
    try {
        const std::vector<int> missing = missingShards(store);
        if (missing.empty())
            return problem + ", all of which have finished: 'tileflow finalize' completes it";
        return problem + " (" + std::to_string(missing.size()) +
               " still to finish); 'tileflow finalize' completes it once all have";
    } catch (const IoError& e) {
        return problem + " (" + e.what() + ")";
    }
}

struct Level {
    std::string dir;
    detail::ZarrArray array;
    Size size;
    double downsample = 1;
    int channels = 1;
    int cAxis = -1;  // -1: no channel axis
    int yAxis = 0;
    int xAxis = 1;
    std::int64_t chunkC = 1, chunkY = 1, chunkX = 1;
    std::int64_t gridC = 1, gridY = 1, gridX = 1;
    std::optional<double> scaleX;  // from the multiscales transformations
};

struct Axes {
    int cAxis = -1;
    int yAxis = 0;
    int xAxis = 1;
    std::string xUnit;
};

// The conventional axes of an array with `dims` dimensions and no axes metadata.
Axes defaultAxes(std::size_t dims) {
    Axes a;
    a.yAxis = static_cast<int>(dims) - 2;
    a.xAxis = static_cast<int>(dims) - 1;
    a.cAxis = dims == 2 ? -1 : dims == 5 ? 1 : 0;
    return a;
}

Axes axesOf(const Json& ms, std::size_t dims, const std::string& store) {
    if (!ms.contains("axes"))
        return defaultAxes(dims);
    const Json& list = ms["axes"];
    if (!list.is_array() || list.size() != dims)
        fail(store, "multiscales 'axes' must list " + std::to_string(dims) +
                        " axes, one per array dimension");
    Axes a;
    a.yAxis = a.xAxis = -1;
    for (std::size_t i = 0; i < list.size(); ++i) {
        std::string name, type, unit;
        if (list[i].is_string()) {
            name = list[i].get<std::string>();
        } else if (list[i].is_object()) {
            name = list[i].value("name", std::string());
            type = list[i].value("type", std::string());
            unit = list[i].value("unit", std::string());
        } else {
            fail(store, "multiscales axis " + list[i].dump() + " is neither a name nor an object");
        }
        const int index = static_cast<int>(i);
        if (name == "x") {
            a.xAxis = index;
            a.xUnit = unit;
        } else if (name == "y") {
            a.yAxis = index;
        } else if (type == "channel" || name == "c") {
            if (a.cAxis >= 0)
                fail(store, "multiscales 'axes' has two channel axes");
            a.cAxis = index;
        }
    }
    if (a.yAxis != static_cast<int>(dims) - 2 || a.xAxis != static_cast<int>(dims) - 1)
        fail(store, "the last two axes must be y and x");
    return a;
}

// The x entry of the first "scale" transformation in `transforms`, if any.
std::optional<double> scaleOf(const Json& holder, int xAxis, std::size_t dims,
                              const std::string& store) {
    if (!holder.is_object() || !holder.contains("coordinateTransformations"))
        return std::nullopt;
    const Json& list = holder["coordinateTransformations"];
    if (!list.is_array())
        fail(store, "'coordinateTransformations' must be a list");
    for (const Json& t : list) {
        if (!t.is_object() || t.value("type", std::string()) != "scale" || !t.contains("scale"))
            continue;
        const Json& s = t["scale"];
        if (!s.is_array() || s.size() != dims || !s[static_cast<std::size_t>(xAxis)].is_number())
            fail(store, "a 'scale' transformation must list one number per axis");
        const double v = s[static_cast<std::size_t>(xAxis)].get<double>();
        if (!(v > 0) || !std::isfinite(v))
            fail(store, "a 'scale' transformation has a non-positive x scale");
        return v;
    }
    return std::nullopt;
}

std::optional<double> micronsPer(const std::string& unit) {
    if (unit == "micrometer")
        return 1.0;
    if (unit == "nanometer")
        return 1e-3;
    if (unit == "millimeter")
        return 1e3;
    return std::nullopt;
}

Level openLevel(const std::string& dir, const std::string& store, const Axes& axes,
                const ResourceLimits& limits) {
    Level l;
    l.dir = dir;
    l.array = detail::readZarray(dir, store, limits);
    const auto dims = l.array.shape.size();
    const Axes a = axes.xAxis < 0 ? defaultAxes(dims) : axes;
    if (a.xAxis != static_cast<int>(dims) - 1)
        fail(store, "array '" + dir + "' has " + std::to_string(dims) +
                        " dimensions, not as many as its axes");
    l.cAxis = a.cAxis;
    l.yAxis = a.yAxis;
    l.xAxis = a.xAxis;
    const auto& shape = l.array.shape;
    const auto& chunks = l.array.chunks;
    l.size = {shape[static_cast<std::size_t>(l.xAxis)], shape[static_cast<std::size_t>(l.yAxis)]};
    const std::string what = "cannot read zarr store '" + store + "': array '" + dir + "'";
    limits.checkPixels(what, l.size.width, l.size.height);
    l.chunkY = chunks[static_cast<std::size_t>(l.yAxis)];
    l.chunkX = chunks[static_cast<std::size_t>(l.xAxis)];
    if (l.cAxis >= 0) {
        const std::int64_t c = shape[static_cast<std::size_t>(l.cAxis)];
        limits.checkChannels(what, c);
        l.channels = static_cast<int>(c);
        l.chunkC = std::min(chunks[static_cast<std::size_t>(l.cAxis)], c);
    }
    l.chunkY = std::min(l.chunkY, l.size.height);
    l.chunkX = std::min(l.chunkX, l.size.width);
    l.gridC = (l.channels + l.chunkC - 1) / l.chunkC;
    l.gridY = (l.size.height + l.chunkY - 1) / l.chunkY;
    l.gridX = (l.size.width + l.chunkX - 1) / l.chunkX;
    return l;
}

// Reads a whole chunk file; std::nullopt when it does not exist.
std::optional<std::vector<std::byte>> readChunkFile(const std::string& file, std::int64_t maxBytes,
                                                    const std::string& store) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return std::nullopt;
        fail(store, "cannot open chunk '" + file + "': " + std::generic_category().message(errno));
    }
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        fail(store, "cannot read chunk '" + file + "': " + std::generic_category().message(errno));
    if (!S_ISREG(st.st_mode))
        fail(store, "chunk '" + file + "' is not a regular file");
    if (st.st_size > maxBytes)
        fail(store, "corrupt chunk '" + file + "': its " + std::to_string(st.st_size) +
                        " bytes are more than any encoding of the chunk needs");
    std::vector<std::byte> bytes(static_cast<std::size_t>(st.st_size));
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n =
            ::pread(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            fail(store, "cannot read chunk '" + file + "': " +
                            (n < 0 ? std::generic_category().message(errno)
                                   : std::string("the file shrank while it was read")));
        done += static_cast<std::size_t>(n);
    }
    return bytes;
}

}  // namespace

struct ZarrSource::Impl {
    std::string path;
    ResourceLimits limits = resourceLimits();
    ImageInfo info;
    SourceMetadata meta;
    std::vector<Level> levels;
    mutable TileCache cache;

    explicit Impl(std::string p, std::int64_t cacheBytes) : path(std::move(p)), cache(cacheBytes) {}

    // The file name of chunk (ci, yi, xi) of `level`, other dimensions at chunk 0.
    std::string chunkFile(const Level& l, std::int64_t ci, std::int64_t yi, std::int64_t xi) const {
        std::string key;
        for (int i = 0; i < static_cast<int>(l.array.shape.size()); ++i) {
            if (i > 0)
                key += l.array.separator;
            const std::int64_t index = i == l.cAxis   ? ci
                                       : i == l.yAxis ? yi
                                       : i == l.xAxis ? xi
                                                      : 0;
            key += std::to_string(index);
        }
        return l.dir + "/" + key;
    }

    // The (chunkC, chunkY, chunkX) block of chunk (ci, yi, xi): its t = 0, z = 0 planes.
    TileCache::Bytes loadBlock(const Level& l, std::int64_t ci, std::int64_t yi,
                               std::int64_t xi) const {
        const std::size_t sample = bytesPerSample(l.array.dtype);
        const auto blockSamples = static_cast<std::size_t>(l.chunkC * l.chunkY * l.chunkX);
        const std::string file = chunkFile(l, ci, yi, xi);
        const std::int64_t raw = l.array.chunkBytes();
        const auto stored = readChunkFile(file, raw + raw / 4 + 65536, path);
        TileCache::Bytes block(blockSamples * sample);
        if (!stored) {
            for (std::size_t i = 0; i < blockSamples; ++i)
                std::memcpy(block.data() + i * sample, l.array.fill.data(), sample);
            return block;
        }
        std::vector<std::byte> decoded =
            detail::decodeChunk(l.array, *stored, "'" + path + "' (chunk '" + file + "')");
        const auto& chunks = l.array.chunks;
        const std::size_t dims = chunks.size();
        std::vector<std::int64_t> stride(dims, 1);
        for (std::size_t i = dims - 1; i > 0; --i)
            stride[i - 1] = stride[i] * chunks[i];
        const bool samePlanes =
            static_cast<std::int64_t>(decoded.size()) == static_cast<std::int64_t>(block.size());
        if (samePlanes && l.chunkX == chunks[dims - 1] && l.chunkY == chunks[dims - 2])
            return decoded;
        const std::int64_t cStride = l.cAxis >= 0 ? stride[static_cast<std::size_t>(l.cAxis)] : 0;
        const std::int64_t yStride = stride[dims - 2];
        for (std::int64_t c = 0; c < l.chunkC; ++c) {
            for (std::int64_t y = 0; y < l.chunkY; ++y) {
                const std::int64_t from = c * cStride + y * yStride;
                const std::int64_t to = (c * l.chunkY + y) * l.chunkX;
                std::memcpy(block.data() + to * static_cast<std::int64_t>(sample),
                            decoded.data() + from * static_cast<std::int64_t>(sample),
                            static_cast<std::size_t>(l.chunkX) * sample);
            }
        }
        return block;
    }

    void openGroup(const Json& zattrs) {
        const Json& all = zattrs["multiscales"];
        if (!all.is_array() || all.empty() || !all[0].is_object())
            fail(path, "'multiscales' must be a non-empty list of objects");
        const Json& ms = all[0];
        if (!ms.contains("datasets") || !ms["datasets"].is_array() || ms["datasets"].empty())
            fail(path, "multiscales 'datasets' must be a non-empty list");
        const std::string version = ms.value("version", std::string());
        meta.format = "ome-zarr";
        if (!version.empty())
            meta.properties.emplace_back("ome-zarr.version", version);
        if (ms.contains("name") && ms["name"].is_string())
            meta.properties.emplace_back("multiscales.name", ms["name"].get<std::string>());

        const Json& datasets = ms["datasets"];
        if (datasets.size() > 64)
            fail(path, "multiscales lists " + std::to_string(datasets.size()) +
                           " datasets, more than the 64 levels supported");
        Axes axes;
        axes.xAxis = -1;  // decided once the first array's dimensions are known
        std::optional<double> globalScale;
        for (std::size_t i = 0; i < datasets.size(); ++i) {
            const Json& d = datasets[i];
            if (!d.is_object() || !d.contains("path") || !d["path"].is_string())
                fail(path, "every multiscales dataset needs a 'path'");
            const std::string dir = path + "/" + d["path"].get<std::string>();
            if (i == 0) {
                std::string text;
                if (!detail::readMetadataFile(dir + "/.zarray", path, text))
                    fail(path, "dataset '" + d["path"].get<std::string>() + "' has no .zarray");
                const auto dims = detail::parseZarray(text, "'" + path + "'", limits).shape.size();
                axes = axesOf(ms, dims, path);
                globalScale = scaleOf(ms, axes.xAxis, dims, path);
            }
            Level l = openLevel(dir, path, axes, limits);
            l.scaleX = scaleOf(d, axes.xAxis, l.array.shape.size(), path);
            levels.push_back(std::move(l));
        }
        const Level& base = levels.front();
        for (Level& l : levels) {
            if (l.array.dtype != base.array.dtype || l.channels != base.channels)
                fail(path, "level '" + l.dir + "' differs from level 0 in dtype or channels");
            l.downsample = l.scaleX && base.scaleX ? *l.scaleX / *base.scaleX
                                                   : double(base.size.width) / double(l.size.width);
        }
        if (base.scaleX) {
            if (const auto factor = micronsPer(axes.xUnit))
                meta.micronsPerPixel = *base.scaleX * globalScale.value_or(1.0) * *factor;
        }
        if (zattrs.contains("omero") && zattrs["omero"].is_object() &&
            zattrs["omero"].contains("channels") && zattrs["omero"]["channels"].is_array()) {
            const Json& channels = zattrs["omero"]["channels"];
            if (channels.size() == static_cast<std::size_t>(base.channels)) {
                for (std::size_t c = 0; c < channels.size(); ++c) {
                    const bool named = channels[c].is_object() && channels[c].contains("label") &&
                                       channels[c]["label"].is_string();
                    meta.channelNames.push_back(named ? channels[c]["label"].get<std::string>()
                                                      : "C" + std::to_string(c));
                }
            }
        }
    }

    void open() {
        std::string text;
        if (detail::readMetadataFile(path + "/.zarray", path, text)) {
            meta.format = "zarr";
            Axes none;
            none.xAxis = -1;
            levels.push_back(openLevel(path, path, none, limits));
        } else {
            if (!detail::readMetadataFile(path + "/.zattrs", path, text))
                fail(path, "neither a zarr array (.zarray) nor an OME-Zarr group (.zattrs)");
            Json zattrs;
            try {
                zattrs = Json::parse(text);
            } catch (const Json::exception& e) {
                fail(path, ".zattrs is not valid JSON (" + detail::jsonProblem(e) + ")");
            }
            if (zattrs.is_object() && zattrs.contains("tileflow") &&
                !zattrs.contains("multiscales"))
                fail(path, unfinishedProblem(path));
            if (!zattrs.is_object() || !zattrs.contains("multiscales"))
                fail(path, ".zattrs has no 'multiscales': not an OME-Zarr image");
            try {
                openGroup(zattrs);
            } catch (const Json::exception& e) {
                fail(path, "malformed OME-Zarr metadata (" + detail::jsonProblem(e) + ")");
            }
        }
        const Level& base = levels.front();
        info = {base.size, base.channels, base.array.dtype};
        for (const Level& l : levels)
            meta.levels.push_back({l.size, l.downsample});
        if (meta.channelNames.empty()) {
            for (int c = 0; c < info.channels; ++c)
                meta.channelNames.push_back("C" + std::to_string(c));
        }
        meta.properties.emplace_back("zarr.dtype", detail::zarrDTypeCode(info.dtype));
        meta.properties.emplace_back("zarr.compressor", detail::codecJson(base.array.codec).dump());
        meta.properties.emplace_back("zarr.chunks", Json(base.array.chunks).dump());
    }
};

ZarrSource::ZarrSource(std::string path, std::int64_t cacheBytes)
    : impl_(std::make_unique<Impl>(std::move(path), cacheBytes)) {
    impl_->open();
}

ZarrSource::~ZarrSource() = default;

ImageInfo ZarrSource::info() const {
    return impl_->info;
}

SourceMetadata ZarrSource::metadata() const {
    return impl_->meta;
}

const std::string& ZarrSource::path() const {
    return impl_->path;
}

void ZarrSource::read(const Rect& region, ImageView out) const {
    readLevel(0, region, out);
}

void ZarrSource::readLevel(int level, const Rect& region, ImageView out) const {
    const Impl& d = *impl_;
    if (level < 0 || level >= static_cast<int>(d.levels.size()))
        throw InvalidArgument("zarr store '" + d.path + "' has no level " + std::to_string(level) +
                              " (it has " + std::to_string(d.levels.size()) + ")");
    const Level& l = d.levels[static_cast<std::size_t>(level)];
    if (region.width < 0 || region.height < 0 || !rectOf(l.size).contains(region))
        throw InvalidArgument("zarr store '" + d.path + "': region " + regionText(region) +
                              " is outside level " + std::to_string(level) + " (" +
                              std::to_string(l.size.width) + "x" + std::to_string(l.size.height) +
                              ")");
    if (out.info() != ImageInfo{region.size(), d.info.channels, d.info.dtype})
        throw InvalidArgument("zarr store '" + d.path + "': the pixel view must be " +
                              std::to_string(region.width) + "x" + std::to_string(region.height) +
                              " with " + std::to_string(d.info.channels) + " channel(s) of " +
                              std::string(dtypeName(d.info.dtype)));
    if (region.empty())
        return;
    const auto sample = static_cast<std::int64_t>(bytesPerSample(d.info.dtype));
    const std::int64_t y0 = region.y / l.chunkY, y1 = (region.bottom() - 1) / l.chunkY;
    const std::int64_t x0 = region.x / l.chunkX, x1 = (region.right() - 1) / l.chunkX;
    for (std::int64_t ci = 0; ci < l.gridC; ++ci) {
        for (std::int64_t yi = y0; yi <= y1; ++yi) {
            for (std::int64_t xi = x0; xi <= x1; ++xi) {
                const TileCache::Key key{
                    static_cast<std::uint64_t>(level),
                    static_cast<std::uint64_t>((ci * l.gridY + yi) * l.gridX + xi)};
                const TileCache::Tile block =
                    d.cache.get(key, [&] { return d.loadBlock(l, ci, yi, xi); });
                const Rect chunk{xi * l.chunkX, yi * l.chunkY, l.chunkX, l.chunkY};
                const Rect part = chunk.intersected(region);
                const std::int64_t cEnd =
                    std::min<std::int64_t>(d.info.channels, (ci + 1) * l.chunkC);
                for (std::int64_t c = ci * l.chunkC; c < cEnd; ++c) {
                    for (std::int64_t y = part.y; y < part.bottom(); ++y) {
                        const std::int64_t from =
                            ((c - ci * l.chunkC) * l.chunkY + (y - chunk.y)) * l.chunkX +
                            (part.x - chunk.x);
                        std::memcpy(out.row<std::byte>(static_cast<int>(c), y - region.y) +
                                        (part.x - region.x) * sample,
                                    block->data() + from * sample,
                                    static_cast<std::size_t>(part.width * sample));
                    }
                }
            }
        }
    }
}

}  // namespace tileflow
