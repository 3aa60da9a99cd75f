#include "ome_zarr_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <system_error>
#include <utility>

#include "atomic_output.hpp"
#include "pyramid.hpp"
#include "tileflow/error.hpp"

namespace tileflow::detail {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using Buffer = std::vector<std::byte>;

std::string regionText(const Rect& r) {
    return std::to_string(r.width) + "x" + std::to_string(r.height) + "+" + std::to_string(r.x) +
           "+" + std::to_string(r.y);
}

Json channelWindow(DType dtype) {
    double lo = 0, hi = 1;
    switch (dtype) {
        case DType::U8:
            hi = 255;
            break;
        case DType::I8:
            lo = -128;
            hi = 127;
            break;
        case DType::U16:
            hi = 65535;
            break;
        case DType::I16:
            lo = -32768;
            hi = 32767;
            break;
        case DType::U32:
            hi = 4294967295.0;
            break;
        case DType::F32:
            break;
    }
    return {{"min", lo}, {"max", hi}, {"start", lo}, {"end", hi}};
}

}  // namespace

ZarrCodec omeZarrCodec(ZarrCompression compression) {
    ZarrCodec codec;
    switch (compression) {
        case ZarrCompression::None:
            break;
        case ZarrCompression::Zlib:
            codec.kind = ZarrCodecKind::Zlib;
            codec.level = 1;
            break;
        case ZarrCompression::Zstd:
            codec.kind = ZarrCodecKind::Zstd;
            codec.level = 3;
            break;
        case ZarrCompression::BloscLz4:
            codec.kind = ZarrCodecKind::Blosc;
            codec.bloscName = "lz4";
            codec.level = 5;
            break;
        case ZarrCompression::BloscZstd:
            codec.kind = ZarrCodecKind::Blosc;
            codec.bloscName = "zstd";
            codec.level = 2;
            break;
    }
    return codec;
}

std::string zarrCompressionName(ZarrCompression compression) {
    switch (compression) {
        case ZarrCompression::None:
            return "none";
        case ZarrCompression::Zlib:
            return "zlib";
        case ZarrCompression::Zstd:
            return "zstd";
        case ZarrCompression::BloscLz4:
            return "blosc-lz4";
        case ZarrCompression::BloscZstd:
            break;
    }
    return "blosc-zstd";
}

ZarrCompression parseZarrCompression(const std::string& name) {
    for (const ZarrCompression c :
         {ZarrCompression::None, ZarrCompression::Zlib, ZarrCompression::Zstd,
          ZarrCompression::BloscLz4, ZarrCompression::BloscZstd}) {
        if (name == zarrCompressionName(c))
            return c;
    }
    throw InvalidArgument(
        "zarr compression must be none, zlib, zstd, blosc-lz4 or blosc-zstd, got '" + name + "'");
}

std::vector<Size> omeZarrLevelSizes(const std::string& path, const ImageInfo& info,
                                    const OmeZarrOptions& options) {
    const auto refuse = [&path](const std::string& what) {
        throw InvalidArgument("cannot write OME-Zarr store '" + path + "': " + what);
    };
    if (info.size.empty() || info.channels <= 0)
        refuse("the image has no pixels");
    const std::int64_t chunk = options.chunk;
    if (chunk < 16 || chunk > 8192 || chunk % 2 != 0)
        refuse("the chunk size must be even and between 16 and 8192, not " + std::to_string(chunk));
    if (options.levels < 0 || options.levels > 32)
        refuse("the number of levels must be between 1 and 32 (0: automatic)");
    if (!options.channelNames.empty() &&
        options.channelNames.size() != static_cast<std::size_t>(info.channels))
        refuse(std::to_string(options.channelNames.size()) + " channel names for " +
               std::to_string(info.channels) + " channels");
    if (options.micronsPerPixel &&
        (!(*options.micronsPerPixel > 0) || !std::isfinite(*options.micronsPerPixel)))
        refuse("the pixel size must be positive");
    const std::int64_t planeBytes =
        chunk * chunk * static_cast<std::int64_t>(bytesPerSample(info.dtype));
    if (planeBytes * info.channels > kZarrMaxChunkBytes * 4)
        refuse("one chunk across all channels would exceed 2 GiB");

    std::vector<Size> sizes;
    Size size = info.size;
    for (;;) {
        sizes.push_back(size);
        const auto n = static_cast<int>(sizes.size());
        const bool more =
            options.levels > 0 ? n < options.levels : std::min(size.width, size.height) > chunk;
        if (!more)
            return sizes;
        size = halvedSize(size);
    }
}

void writeOmeZarrArray(const std::string& folder, int level, const ImageInfo& info, Size size,
                       const OmeZarrOptions& options) {
    ZarrArray array;
    array.shape = {info.channels, size.height, size.width};
    array.chunks = {1, options.chunk, options.chunk};
    array.dtype = info.dtype;
    array.codec = omeZarrCodec(options.compression);
    array.fill.assign(bytesPerSample(info.dtype), std::byte{0});
    array.separator = '/';
    const std::string dir = folder + "/" + std::to_string(level);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw IoError("cannot create '" + dir + "': " + ec.message());
    writeJson(dir + "/.zarray", zarrayJson(array));
}

Json omeZarrAttributes(const std::string& name, const ImageInfo& info, int levels,
                       const OmeZarrOptions& options) {
    const double pixel = options.micronsPerPixel.value_or(1.0);
    Json axes = Json::array({{{"name", "c"}, {"type", "channel"}},
                             {{"name", "y"}, {"type", "space"}},
                             {{"name", "x"}, {"type", "space"}}});
    if (options.micronsPerPixel) {
        axes[1]["unit"] = "micrometer";
        axes[2]["unit"] = "micrometer";
    }
    Json datasets = Json::array();
    for (int i = 0; i < levels; ++i) {
        const double scale = pixel * std::ldexp(1.0, i);
        datasets.push_back({{"path", std::to_string(i)},
                            {"coordinateTransformations",
                             Json::array({{{"type", "scale"}, {"scale", {1.0, scale, scale}}}})}});
    }
    static const char* const palette[] = {"FF0000", "00FF00", "0000FF",
                                          "FFFF00", "FF00FF", "00FFFF"};
    Json channels = Json::array();
    for (int c = 0; c < info.channels; ++c) {
        const std::string label = options.channelNames.empty()
                                      ? "C" + std::to_string(c)
                                      : options.channelNames[static_cast<std::size_t>(c)];
        channels.push_back({{"label", label},
                            {"active", true},
                            {"color", info.channels == 1 ? "FFFFFF" : palette[c % 6]},
                            {"window", channelWindow(info.dtype)}});
    }
    return {{"multiscales", Json::array({{{"version", "0.4"},
                                          {"name", name},
                                          {"axes", axes},
                                          {"datasets", datasets},
                                          {"type", "mean"},
                                          {"metadata",
                                           {{"description", "2x2 mean; integers rounded half up"},
                                            {"method", "tileflow"}}}}})},
            {"omero", {{"version", "0.4"}, {"channels", channels}}}};
}

void writeWholeFile(const std::string& file, const std::byte* data, std::size_t size) {
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0)
        throw IoError("cannot create '" + file + "': " + errnoText(errno));
    std::size_t done = 0;
    while (done < size) {
        const ssize_t n = ::write(fd, data + done, size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            const int err = errno;
            ::close(fd);
            throw IoError("cannot write '" + file + "': " + errnoText(err));
        }
        done += static_cast<std::size_t>(n);
    }
    if (::close(fd) != 0)
        throw IoError("cannot write '" + file + "': " + errnoText(errno));
}

void writeJson(const std::string& file, const Json& doc) {
    const std::string text = doc.dump(2) + "\n";
    writeWholeFile(file, reinterpret_cast<const std::byte*>(text.data()), text.size());
}

void replaceJson(const std::string& file, const Json& doc) {
    const std::string temp = uniquePathBeside(file, "tmp");
    writeJson(temp, doc);
    // On disk before the rename, so that a crash cannot leave an empty document in its place.
    const int fd = ::open(temp.c_str(), O_RDONLY | O_CLOEXEC);
    const bool synced = fd >= 0 && ::fsync(fd) == 0;
    const int syncErr = errno;
    if (fd >= 0)
        ::close(fd);
    if (!synced) {
        std::error_code ec;
        fs::remove(temp, ec);
        throw IoError("cannot write '" + temp + "': " + errnoText(syncErr));
    }
    if (std::rename(temp.c_str(), file.c_str()) != 0) {
        const int err = errno;
        std::error_code ec;
        fs::remove(temp, ec);
        throw IoError("cannot replace '" + file + "': " + errnoText(err));
    }
}

void syncFileSystem(const std::string& folder) {
    const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        throw IoError("cannot open '" + folder + "': " + errnoText(errno));
    const int synced = ::syncfs(dir);
    const int err = errno;
    ::close(dir);
    if (synced != 0)
        throw IoError("flushing to disk failed: " + errnoText(err));
}

bool isZarrStore(const std::string& path) {
    std::error_code ec;
    return fs::is_directory(path, ec) &&
           (fs::exists(path + "/.zgroup", ec) || fs::exists(path + "/.zarray", ec));
}

void moveStoreIntoPlace(const std::string& temp, const std::string& path) {
    std::error_code ec;
    std::string aside;
    if (fs::exists(path, ec)) {
        if (!isZarrStore(path))
            throw IoError("something that is not a zarr store now exists there");
        // Swap the two trees in one step, so that a crash leaves either store in place;
        // the old one then sits at the temporary name and is deleted below.
        if (::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, path.c_str(), RENAME_EXCHANGE) == 0) {
            aside = temp;
        } else if (errno != EINVAL && errno != ENOSYS) {
            throw IoError("cannot swap the new store into place: " + errnoText(errno));
        } else {
            // File systems without RENAME_EXCHANGE: move the old store aside first.
            aside = uniquePathBeside(path, "old");
            if (::rename(path.c_str(), aside.c_str()) != 0)
                throw IoError("cannot move the existing store aside: " + errnoText(errno));
        }
    }
    if (aside != temp && ::rename(temp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        if (!aside.empty())
            ::rename(aside.c_str(), path.c_str());
        throw IoError("renaming '" + temp + "' into place failed: " + errnoText(err));
    }
    // The rename is the commit point: a leftover old store that cannot be deleted, or a
    // folder sync that fails, does not make the new store incomplete.
    if (!aside.empty())
        fs::remove_all(aside, ec);
    try {
        syncParentFolder(path);
    } catch (const IoError&) {
        // A failed folder sync does not fail the commit (see above).
    }
}

OmeZarrChunkWriter::OmeZarrChunkWriter(std::string folder, ImageInfo info, std::int64_t chunk,
                                       ZarrCodec codec, const std::vector<Size>& levelSizes,
                                       int firstWrittenLevel)
    : folder_(std::move(folder)),
      info_(info),
      chunk_(chunk),
      codec_(std::move(codec)),
      firstWrittenLevel_(firstWrittenLevel) {
    for (const Size size : levelSizes) {
        Level l;
        l.size = size;
        l.gridX = (size.width + chunk - 1) / chunk;
        l.gridY = (size.height + chunk - 1) / chunk;
        levels_.push_back(std::move(l));
    }
}

std::int64_t OmeZarrChunkWriter::planeBytes() const {
    return chunk_ * chunk_ * static_cast<std::int64_t>(bytesPerSample(info_.dtype));
}

std::int64_t OmeZarrChunkWriter::incompleteChunks(int level) const {
    const Level& l = levels_.at(static_cast<std::size_t>(level));
    return l.gridX * l.gridY - l.completed;
}

void OmeZarrChunkWriter::deliver(int level, const Rect& r, ConstImageView pixels) {
    Level& l = levels_[static_cast<std::size_t>(level)];
    const auto sample = static_cast<std::int64_t>(bytesPerSample(info_.dtype));
    for (std::int64_t cy = r.y / chunk_; cy <= (r.bottom() - 1) / chunk_; ++cy) {
        for (std::int64_t cx = r.x / chunk_; cx <= (r.right() - 1) / chunk_; ++cx) {
            const Rect bounds =
                Rect{cx * chunk_, cy * chunk_, chunk_, chunk_}.intersected(rectOf(l.size));
            const Rect part = bounds.intersected(r);
            const std::int64_t index = cy * l.gridX + cx;
            auto it = l.pending.find(index);
            if (it == l.pending.end()) {
                Pending p;
                p.data = std::make_shared<Buffer>(
                    static_cast<std::size_t>(planeBytes() * info_.channels));
                p.remaining = bounds.area();
                it = l.pending.emplace(index, std::move(p)).first;
            }
            Pending& p = it->second;
            if (part.area() > p.remaining)
                throw InvalidArgument("region " + regionText(r) +
                                      " overlaps pixels written before");
            for (int c = 0; c < info_.channels; ++c) {
                for (std::int64_t y = part.y; y < part.bottom(); ++y) {
                    const std::int64_t to =
                        c * planeBytes() + ((y - bounds.y) * chunk_ + (part.x - bounds.x)) * sample;
                    std::memcpy(p.data->data() + to,
                                pixels.row<std::byte>(c, y - r.y) + (part.x - r.x) * sample,
                                static_cast<std::size_t>(part.width * sample));
                }
            }
            p.remaining -= part.area();
            if (p.remaining == 0) {
                std::shared_ptr<Buffer> data = std::move(p.data);
                l.pending.erase(it);
                ++l.completed;
                complete(level, cx, cy, bounds, data);
            }
        }
    }
}

void OmeZarrChunkWriter::complete(int level, std::int64_t cx, std::int64_t cy, const Rect& bounds,
                                  const std::shared_ptr<Buffer>& data) {
    if (level >= firstWrittenLevel_)
        jobs_.push_back({level, cx, cy, data});
    if (level + 1 >= static_cast<int>(levels_.size()))
        return;
    if (wanted_ && !wanted_(level + 1, cx / 2, cy / 2))
        return;
    const Size halfSize = halvedSize(bounds.size());
    const Rect half{bounds.x / 2, bounds.y / 2, halfSize.width, halfSize.height};
    Image small(ImageInfo{halfSize, info_.channels, info_.dtype});
    const ImageView out = small.view();
    const auto bps = static_cast<std::int64_t>(bytesPerSample(info_.dtype));
    for (int c = 0; c < info_.channels; ++c) {
        downsample2x2(info_.dtype, data->data() + c * chunk_ * chunk_ * bps, chunk_ * bps,
                      bounds.width, bounds.height, out.data() + c * out.channelStride(),
                      out.rowStride());
    }
    deliver(level + 1, half, small.view());
}

void OmeZarrChunkWriter::flush() {
    if (jobs_.empty())
        return;
    for (const Job& job : jobs_) {
        for (int c = 0; c < info_.channels; ++c) {
            const std::string dir = folder_ + "/" + std::to_string(job.level) + "/" +
                                    std::to_string(c) + "/" + std::to_string(job.cy);
            if (dirs_.insert(dir).second) {
                std::error_code ec;
                fs::create_directories(dir, ec);
                if (ec)
                    throw IoError("cannot create '" + dir + "': " + ec.message());
            }
        }
    }
    const auto count = static_cast<std::int64_t>(jobs_.size()) * info_.channels;
    std::exception_ptr error;
#pragma omp parallel for schedule(dynamic, 1) if (count > 1)
    for (std::int64_t i = 0; i < count; ++i) {
        try {
            const Job& job = jobs_[static_cast<std::size_t>(i / info_.channels)];
            const auto c = static_cast<int>(i % info_.channels);
            const Buffer encoded =
                encodeChunk(codec_, info_.dtype, job.data->data() + c * planeBytes(),
                            static_cast<std::size_t>(planeBytes()));
            const std::string file = folder_ + "/" + std::to_string(job.level) + "/" +
                                     std::to_string(c) + "/" + std::to_string(job.cy) + "/" +
                                     std::to_string(job.cx);
            writeWholeFile(file, encoded.data(), encoded.size());
        } catch (...) {
#pragma omp critical(tileflow_ome_zarr_flush)
            if (!error)
                error = std::current_exception();
        }
    }
    jobs_.clear();
    if (error)
        std::rethrow_exception(error);
}

}  // namespace tileflow::detail
