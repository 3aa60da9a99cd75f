#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "atomic_output.hpp"
#include "pyramid.hpp"
#include "tileflow/error.hpp"
#include "tileflow/zarr.hpp"
#include "zarr_format.hpp"

namespace tileflow {

using detail::errnoText;

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using Buffer = std::vector<std::byte>;

std::string regionText(const Rect& r) {
    return std::to_string(r.width) + "x" + std::to_string(r.height) + "+" + std::to_string(r.x) +
           "+" + std::to_string(r.y);
}

bool isZarrStore(const fs::path& path) {
    std::error_code ec;
    return fs::is_directory(path, ec) &&
           (fs::exists(path / ".zgroup", ec) || fs::exists(path / ".zarray", ec));
}

detail::ZarrCodec codecFor(ZarrCompression compression) {
    detail::ZarrCodec codec;
    switch (compression) {
        case ZarrCompression::None:
            break;
        case ZarrCompression::Zlib:
            codec.kind = detail::ZarrCodecKind::Zlib;
            codec.level = 1;
            break;
        case ZarrCompression::Zstd:
            codec.kind = detail::ZarrCodecKind::Zstd;
            codec.level = 3;
            break;
        case ZarrCompression::BloscLz4:
            codec.kind = detail::ZarrCodecKind::Blosc;
            codec.bloscName = "lz4";
            codec.level = 5;
            break;
        case ZarrCompression::BloscZstd:
            codec.kind = detail::ZarrCodecKind::Blosc;
            codec.bloscName = "zstd";
            codec.level = 2;
            break;
    }
    return codec;
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

struct OmeZarrSink::State {
    struct Pending {
        std::shared_ptr<Buffer> data;
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
        std::shared_ptr<const Buffer> data;
    };

    ImageInfo info;
    std::int64_t chunk = 0;
    std::string temp;
    detail::ZarrCodec codec;
    std::vector<Level> levels;
    std::vector<Job> jobs;
    std::unordered_set<std::string> dirs;

    std::int64_t planeBytes() const {
        return chunk * chunk * static_cast<std::int64_t>(bytesPerSample(info.dtype));
    }

    // Copies `pixels` (region `r` of `level`) into the chunks it touches; completes chunks.
    void deliver(int level, const Rect& r, ConstImageView pixels) {
        Level& l = levels[static_cast<std::size_t>(level)];
        const auto sample = static_cast<std::int64_t>(bytesPerSample(info.dtype));
        for (std::int64_t cy = r.y / chunk; cy <= (r.bottom() - 1) / chunk; ++cy) {
            for (std::int64_t cx = r.x / chunk; cx <= (r.right() - 1) / chunk; ++cx) {
                const Rect bounds =
                    Rect{cx * chunk, cy * chunk, chunk, chunk}.intersected(rectOf(l.size));
                const Rect part = bounds.intersected(r);
                const std::int64_t index = cy * l.gridX + cx;
                auto it = l.pending.find(index);
                if (it == l.pending.end()) {
                    Pending p;
                    p.data = std::make_shared<Buffer>(
                        static_cast<std::size_t>(planeBytes() * info.channels));
                    p.remaining = bounds.area();
                    it = l.pending.emplace(index, std::move(p)).first;
                }
                Pending& p = it->second;
                if (part.area() > p.remaining)
                    throw InvalidArgument("OmeZarrSink: region " + regionText(r) +
                                          " overlaps pixels written before");
                for (int c = 0; c < info.channels; ++c) {
                    for (std::int64_t y = part.y; y < part.bottom(); ++y) {
                        const std::int64_t to =
                            c * planeBytes() +
                            ((y - bounds.y) * chunk + (part.x - bounds.x)) * sample;
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
                    complete(level, cx, cy, bounds, std::move(data));
                }
            }
        }
    }

    // Queues a finished chunk for writing and feeds its 2x2 mean to the next level.
    void complete(int level, std::int64_t cx, std::int64_t cy, const Rect& bounds,
                  std::shared_ptr<Buffer> data) {
        const Buffer& pixels = *data;  // the job keeps it alive
        jobs.push_back({level, cx, cy, std::move(data)});
        if (level + 1 >= static_cast<int>(levels.size()))
            return;
        const Size halfSize = detail::halvedSize(bounds.size());
        const Rect half{bounds.x / 2, bounds.y / 2, halfSize.width, halfSize.height};
        Image small(ImageInfo{halfSize, info.channels, info.dtype});
        const ImageView out = small.view();
        const auto bps = static_cast<std::int64_t>(bytesPerSample(info.dtype));
        for (int c = 0; c < info.channels; ++c) {
            detail::downsample2x2(info.dtype, pixels.data() + c * chunk * chunk * bps, chunk * bps,
                                  bounds.width, bounds.height, out.data() + c * out.channelStride(),
                                  out.rowStride());
        }
        deliver(level + 1, half, small.view());
    }

    // Compresses and writes the queued chunks, one file per channel, on several threads.
    void flush() {
        if (jobs.empty())
            return;
        for (const Job& job : jobs) {
            for (int c = 0; c < info.channels; ++c) {
                const std::string dir = temp + "/" + std::to_string(job.level) + "/" +
                                        std::to_string(c) + "/" + std::to_string(job.cy);
                if (dirs.insert(dir).second) {
                    std::error_code ec;
                    fs::create_directories(dir, ec);
                    if (ec)
                        throw IoError("cannot create '" + dir + "': " + ec.message());
                }
            }
        }
        const auto count = static_cast<std::int64_t>(jobs.size()) * info.channels;
        std::exception_ptr error;
#pragma omp parallel for schedule(dynamic, 1) if (count > 1)
        for (std::int64_t i = 0; i < count; ++i) {
            try {
                const Job& job = jobs[static_cast<std::size_t>(i / info.channels)];
                const auto c = static_cast<int>(i % info.channels);
                const Buffer encoded =
                    detail::encodeChunk(codec, info.dtype, job.data->data() + c * planeBytes(),
                                        static_cast<std::size_t>(planeBytes()));
                const std::string file = temp + "/" + std::to_string(job.level) + "/" +
                                         std::to_string(c) + "/" + std::to_string(job.cy) + "/" +
                                         std::to_string(job.cx);
                writeWholeFile(file, encoded.data(), encoded.size());
            } catch (...) {
#pragma omp critical(tileflow_ome_zarr_flush)
                if (!error)
                    error = std::current_exception();
            }
        }
        jobs.clear();
        if (error)
            std::rethrow_exception(error);
    }
};

OmeZarrSink::OmeZarrSink(std::string path, OmeZarrOptions options)
    : path_(std::move(path)), options_(std::move(options)) {}

OmeZarrSink::~OmeZarrSink() {
    abort();
}

std::vector<Size> OmeZarrSink::levelSizes() const {
    std::vector<Size> sizes;
    if (state_) {
        for (const State::Level& l : state_->levels)
            sizes.push_back(l.size);
    }
    return sizes;
}

void OmeZarrSink::begin(const ImageInfo& info) {
    abort();
    const auto refuse = [this](const std::string& what) {
        throw InvalidArgument("cannot write OME-Zarr store '" + path_ + "': " + what);
    };
    if (info.size.empty() || info.channels <= 0)
        refuse("the image has no pixels");
    const std::int64_t chunk = options_.chunk;
    if (chunk < 16 || chunk > 8192 || chunk % 2 != 0)
        refuse("the chunk size must be even and between 16 and 8192, not " + std::to_string(chunk));
    if (options_.levels < 0 || options_.levels > 32)
        refuse("the number of levels must be between 1 and 32 (0: automatic)");
    if (!options_.channelNames.empty() &&
        options_.channelNames.size() != static_cast<std::size_t>(info.channels))
        refuse(std::to_string(options_.channelNames.size()) + " channel names for " +
               std::to_string(info.channels) + " channels");
    if (options_.micronsPerPixel &&
        (!(*options_.micronsPerPixel > 0) || !std::isfinite(*options_.micronsPerPixel)))
        refuse("the pixel size must be positive");
    const std::int64_t planeBytes =
        chunk * chunk * static_cast<std::int64_t>(bytesPerSample(info.dtype));
    if (planeBytes * info.channels > detail::kZarrMaxChunkBytes * 4)
        refuse("one chunk across all channels would exceed 2 GiB");

    std::error_code ec;
    if (fs::exists(path_, ec) && !isZarrStore(path_))
        throw IoError("cannot write OME-Zarr store '" + path_ +
                      "': something that is not a zarr store already exists there");

    auto state = std::make_unique<State>();
    state->info = info;
    state->chunk = chunk;
    state->codec = codecFor(options_.compression);
    Size size = info.size;
    for (;;) {
        State::Level l;
        l.size = size;
        l.gridX = (size.width + chunk - 1) / chunk;
        l.gridY = (size.height + chunk - 1) / chunk;
        state->levels.push_back(std::move(l));
        const auto n = static_cast<int>(state->levels.size());
        const bool more =
            options_.levels > 0 ? n < options_.levels : std::min(size.width, size.height) > chunk;
        if (!more)
            break;
        size = detail::halvedSize(size);
    }

    state->temp = detail::temporaryPathFor(path_);
    if (::mkdir(state->temp.c_str(), 0777) != 0)
        throw IoError("cannot write OME-Zarr store '" + path_ + "': cannot create '" + state->temp +
                      "': " + errnoText(errno));
    state_ = std::move(state);
}

void OmeZarrSink::write(const Rect& region, ConstImageView pixels) {
    if (!state_)
        throw InvalidArgument("OmeZarrSink '" + path_ +
                              "': write() called outside begin()/commit()");
    const ImageInfo& info = state_->info;
    if (region.width < 0 || region.height < 0 || !rectOf(info.size).contains(region))
        throw InvalidArgument("OmeZarrSink '" + path_ + "': region " + regionText(region) +
                              " is outside the " + std::to_string(info.size.width) + "x" +
                              std::to_string(info.size.height) + " image");
    if (pixels.info() != ImageInfo{region.size(), info.channels, info.dtype})
        throw InvalidArgument("OmeZarrSink '" + path_ + "': the pixel view must be " +
                              std::to_string(region.width) + "x" + std::to_string(region.height) +
                              " with " + std::to_string(info.channels) + " channel(s) of " +
                              std::string(dtypeName(info.dtype)));
    if (region.empty())
        return;
    try {
        state_->deliver(0, region, pixels);
        state_->flush();
    } catch (const IoError& e) {
        throw IoError("cannot write OME-Zarr store '" + path_ + "': " + e.what());
    }
}

void OmeZarrSink::commit() {
    if (!state_)
        throw InvalidArgument("OmeZarrSink '" + path_ + "': commit() called without begin()");
    State& s = *state_;
    const auto failWith = [this](const std::string& what) {
        abort();
        throw IoError("cannot write OME-Zarr store '" + path_ + "': " + what);
    };
    for (std::size_t i = 0; i < s.levels.size(); ++i) {
        const State::Level& l = s.levels[i];
        if (l.completed != l.gridX * l.gridY)
            failWith("commit() before every pixel was written (level " + std::to_string(i) +
                     " has " + std::to_string(l.gridX * l.gridY - l.completed) +
                     " incomplete chunks)");
    }
    try {
        const ImageInfo& info = s.info;
        const double pixel = options_.micronsPerPixel.value_or(1.0);
        Json axes = Json::array({{{"name", "c"}, {"type", "channel"}},
                                 {{"name", "y"}, {"type", "space"}},
                                 {{"name", "x"}, {"type", "space"}}});
        if (options_.micronsPerPixel) {
            axes[1]["unit"] = "micrometer";
            axes[2]["unit"] = "micrometer";
        }
        Json datasets = Json::array();
        for (std::size_t i = 0; i < s.levels.size(); ++i) {
            const State::Level& l = s.levels[i];
            detail::ZarrArray array;
            array.shape = {info.channels, l.size.height, l.size.width};
            array.chunks = {1, s.chunk, s.chunk};
            array.dtype = info.dtype;
            array.codec = s.codec;
            array.fill.assign(bytesPerSample(info.dtype), std::byte{0});
            array.separator = '/';
            const std::string dir = s.temp + "/" + std::to_string(i);
            std::error_code ec;
            fs::create_directories(dir, ec);
            if (ec)
                throw IoError("cannot create '" + dir + "': " + ec.message());
            writeJson(dir + "/.zarray", detail::zarrayJson(array));
            const double scale = pixel * std::ldexp(1.0, static_cast<int>(i));
            datasets.push_back(
                {{"path", std::to_string(i)},
                 {"coordinateTransformations",
                  Json::array({{{"type", "scale"}, {"scale", {1.0, scale, scale}}}})}});
        }
        static const char* const palette[] = {"FF0000", "00FF00", "0000FF",
                                              "FFFF00", "FF00FF", "00FFFF"};
        Json channels = Json::array();
        for (int c = 0; c < info.channels; ++c) {
            const std::string label = options_.channelNames.empty()
                                          ? "C" + std::to_string(c)
                                          : options_.channelNames[static_cast<std::size_t>(c)];
            channels.push_back({{"label", label},
                                {"active", true},
                                {"color", info.channels == 1 ? "FFFFFF" : palette[c % 6]},
                                {"window", channelWindow(info.dtype)}});
        }
        const Json zattrs = {
            {"multiscales", Json::array({{{"version", "0.4"},
                                          {"name", fs::path(path_).filename().string()},
                                          {"axes", axes},
                                          {"datasets", datasets},
                                          {"type", "mean"},
                                          {"metadata",
                                           {{"description", "2x2 mean; integers rounded half up"},
                                            {"method", "tileflow"}}}}})},
            {"omero", {{"version", "0.4"}, {"channels", channels}}}};
        writeJson(s.temp + "/.zattrs", zattrs);
        writeJson(s.temp + "/.zgroup", {{"zarr_format", 2}});
    } catch (const IoError& e) {
        failWith(e.what());
    }

    const int dir = ::open(s.temp.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        failWith("cannot open '" + s.temp + "': " + errnoText(errno));
    const int synced = ::syncfs(dir);
    const int syncErr = errno;
    ::close(dir);
    if (synced != 0)
        failWith("flushing to disk failed: " + errnoText(syncErr));

    std::error_code ec;
    std::string aside;
    if (fs::exists(path_, ec)) {
        if (!isZarrStore(path_))
            failWith("something that is not a zarr store now exists there");
        // Swap the two trees in one step, so that a crash leaves either store in place;
        // the old one then sits at the temporary name and is deleted below.
        if (::renameat2(AT_FDCWD, s.temp.c_str(), AT_FDCWD, path_.c_str(), RENAME_EXCHANGE) == 0) {
            aside = s.temp;
        } else if (errno != EINVAL && errno != ENOSYS) {
            failWith("cannot swap the new store into place: " + errnoText(errno));
        } else {
            // File systems without RENAME_EXCHANGE: move the old store aside first.
            aside = detail::uniquePathBeside(path_, "old");
            if (::rename(path_.c_str(), aside.c_str()) != 0)
                failWith("cannot move the existing store aside: " + errnoText(errno));
        }
    }
    if (aside != s.temp && ::rename(s.temp.c_str(), path_.c_str()) != 0) {
        const int err = errno;
        if (!aside.empty())
            ::rename(aside.c_str(), path_.c_str());
        failWith("renaming '" + s.temp + "' into place failed: " + errnoText(err));
    }
    state_.reset();
    // The rename is the commit point: a leftover old store that cannot be deleted, or a
    // folder sync that fails, does not make the new store incomplete.
    if (!aside.empty())
        fs::remove_all(aside, ec);
    try {
        detail::syncParentFolder(path_);
    } catch (const IoError&) {
        // A failed folder sync does not fail the commit (see above).
    }
}

void OmeZarrSink::abort() noexcept {
    if (!state_)
        return;
    std::error_code ec;
    fs::remove_all(state_->temp, ec);
    state_.reset();
}

}  // namespace tileflow
