#include "tileflow/tiff_sink.hpp"

#include <fcntl.h>
#include <omp.h>
#include <sys/stat.h>
#include <tiffio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <utility>

#include "atomic_output.hpp"
#include "posix_io.hpp"
#include "pyramid.hpp"
#include "tiff_tile_encoder.hpp"
#include "tileflow/error.hpp"

namespace tileflow {

using detail::errnoText;

namespace {

// Level-0 bytes written between two write-back requests.
constexpr std::int64_t kWritebackInterval = std::int64_t{32} << 20;
// Uncompressed bytes of tiles encoded together (at least two tiles per thread).
constexpr std::int64_t kBatchBytes = std::int64_t{32} << 20;

std::int64_t ceilDiv(std::int64_t a, std::int64_t b) {
    return (a + b - 1) / b;
}

std::uint16_t sampleFormatOf(DType dtype) {
    switch (dtype) {
        case DType::I8:
        case DType::I16:
            return SAMPLEFORMAT_INT;
        case DType::F32:
            return SAMPLEFORMAT_IEEEFP;
        default:
            return SAMPLEFORMAT_UINT;
    }
}

extern "C" int captureTiffError(TIFF*, void* userData, const char* module, const char* format,
                                va_list args) {
    auto* sink = static_cast<std::string*>(userData);
    std::array<char, 1024> text{};
    std::vsnprintf(text.data(), text.size(), format, args);
    if (!sink->empty())
        *sink += "; ";
    if (module != nullptr && *module != '\0')
        *sink += std::string(module) + ": ";
    *sink += text.data();
    return 1;
}

extern "C" int ignoreTiffWarning(TIFF*, void*, const char*, const char*, va_list) {
    return 1;
}

}  // namespace

std::string_view tiffCompressionName(TiffCompression compression) {
    switch (compression) {
        case TiffCompression::None:
            return "none";
        case TiffCompression::Deflate:
            return "deflate";
        case TiffCompression::Zstd:
            return "zstd";
        case TiffCompression::Jpeg:
            return "jpeg";
    }
    return "none";
}

std::optional<TiffCompression> parseTiffCompression(std::string_view name) {
    for (TiffCompression c : {TiffCompression::None, TiffCompression::Deflate,
                              TiffCompression::Zstd, TiffCompression::Jpeg}) {
        if (name == tiffCompressionName(c))
            return c;
    }
    return std::nullopt;
}

int tiffLevelCount(Size size, const TiffSinkOptions& options) {
    if (options.levels > 0)
        return options.levels;
    if (options.tileSize <= 0) {
        throw InvalidArgument("TIFF tile size " + std::to_string(options.tileSize) +
                              " is not positive");
    }
    int levels = 1;
    for (;;) {
        size = detail::halvedSize(size);
        if (std::min(size.width, size.height) < options.tileSize)
            return levels;
        ++levels;
    }
}

struct TiffSink::State {
    // A tile some of whose pixels have arrived: planar C x T x T samples.
    struct Partial {
        std::vector<std::byte> pixels;
        std::int64_t filled = 0;
    };
    // A tile whose pixels are all there: gathered in `buffer`, or (level 0 only) a view of
    // the region being written.
    struct Complete {
        std::int64_t tile = 0;
        std::vector<std::byte> buffer;
        ConstImageView view;
    };
    struct Level {
        Size size;
        std::int64_t tilesAcross = 0;
        std::int64_t tilesDown = 0;
        std::map<std::int64_t, Partial> partial;
        std::vector<Complete> ready;
        // Reduced levels: (offset, size) in the scratch file per tile plane.
        std::vector<std::pair<std::int64_t, std::int64_t>> stored;
        std::int64_t tilesDone = 0;
    };
    // Work on one complete tile of a batch; the encoded planes keep their capacity across
    // batches.
    struct Job {
        Complete tile;
        std::vector<std::vector<std::byte>> encoded;  // per plane
        std::vector<std::byte> half;                  // its 2x2 mean, planar
        Rect halfRect;                                // in the next level's pixels
        std::string error;
    };

    std::string path;
    TiffSinkOptions options;
    ImageInfo info;
    std::optional<detail::TiffTileEncoder> encoder;
    std::string tempPath;
    std::string scratchPath;
    int scratchFd = -1;
    std::int64_t scratchEnd = 0;
    std::int64_t writtenBackTo = 0;  // level-0 file offset up to which write-back was asked
    TIFF* tif = nullptr;
    std::string tiffErrors;
    std::vector<Level> levels;
    std::vector<std::vector<std::byte>> freeBuffers;
    std::vector<Job> jobs;  // one batch
    int threads = 1;
    bool rgb = false;
    int planes = 1;
    std::int64_t bps = 1;

    [[noreturn]] void fail(const std::string& what) {
        const int error = errno;  // of the write that failed, when the system refused it
        std::string message = "cannot write TIFF file '" + path + "': " + what;
        // A full disk or a file-size limit says so in the system's words; libtiff's own
        // message about it names internals only.
        if (error == ENOSPC || error == EFBIG || error == EDQUOT)
            message += ": " + std::string(std::strerror(error));
        else if (!tiffErrors.empty())
            message += " (libtiff: " + tiffErrors + ")";
        tiffErrors.clear();
        throw IoError(message);
    }

    std::int64_t tile() const { return options.tileSize; }
    std::int64_t tileBytes() const { return tile() * tile() * info.channels * bps; }
    std::int64_t planeBytes() const { return tile() * tile() * bps; }
    // Tiles encoded at once: enough to keep every thread busy, few enough that the encoded
    // tiles of a batch stay small.
    std::size_t batchSize() const {
        return static_cast<std::size_t>(
            std::max<std::int64_t>(2 * std::int64_t{threads}, kBatchBytes / tileBytes()));
    }

    Rect tileRect(const Level& level, std::int64_t index) const {
        const std::int64_t tx = index % level.tilesAcross;
        const std::int64_t ty = index / level.tilesAcross;
        return Rect{tx * tile(), ty * tile(), tile(), tile()}.intersected(rectOf(level.size));
    }

    ImageView tileView(std::vector<std::byte>& pixels) const {
        return {pixels.data(), ImageInfo{{tile(), tile()}, info.channels, info.dtype}, tile() * bps,
                planeBytes()};
    }

    // The pixels of a complete tile of `level`, cut to the image.
    ConstImageView pixelsOf(const Level& level, Complete& complete) const {
        if (complete.buffer.empty())
            return complete.view;
        const Rect bounds = tileRect(level, complete.tile);
        return ConstImageView(tileView(complete.buffer))
            .region({0, 0, bounds.width, bounds.height});
    }

    std::vector<std::byte> takeBuffer() {
        if (freeBuffers.empty())
            return std::vector<std::byte>(static_cast<std::size_t>(tileBytes()));
        std::vector<std::byte> buffer = std::move(freeBuffers.back());
        freeBuffers.pop_back();
        return buffer;
    }

    void recycle(std::vector<std::byte>&& buffer) {
        if (!buffer.empty() && freeBuffers.size() < batchSize())
            freeBuffers.push_back(std::move(buffer));
    }

    // Takes `pixels` (the pixels of `region` of level `l`): tiles it covers whole become
    // ready as views when `borrow` allows (the caller keeps the pixels until flushReady()
    // returns); the others are copied into the level's partial tiles.
    void accept(std::size_t l, const Rect& region, ConstImageView pixels, bool borrow) {
        Level& level = levels[l];
        const std::int64_t tx0 = region.x / tile();
        const std::int64_t tx1 = (region.right() - 1) / tile();
        const std::int64_t ty0 = region.y / tile();
        const std::int64_t ty1 = (region.bottom() - 1) / tile();
        for (std::int64_t ty = ty0; ty <= ty1; ++ty) {
            for (std::int64_t tx = tx0; tx <= tx1; ++tx) {
                const std::int64_t index = ty * level.tilesAcross + tx;
                const Rect bounds = tileRect(level, index);
                if (borrow && region.contains(bounds) && !level.partial.contains(index)) {
                    level.ready.push_back({index, {}, pixels.region(bounds.relativeTo(region))});
                    continue;
                }
                const Rect part = bounds.intersected(region);
                auto [it, created] = level.partial.try_emplace(index);
                Partial& p = it->second;
                if (created)
                    p.pixels = takeBuffer();
                const Rect origin{tx * tile(), ty * tile(), tile(), tile()};
                copyPixels(pixels.region(part.relativeTo(region)),
                           tileView(p.pixels).region(part.relativeTo(origin)));
                p.filled += part.area();
                if (p.filled == bounds.area()) {
                    level.ready.push_back({index, std::move(p.pixels), {}});
                    level.partial.erase(it);
                }
            }
        }
    }

    void reduce(const Level& level, ConstImageView pixels, Job& job) const {
        const Rect bounds = tileRect(level, job.tile.tile);
        job.halfRect = {bounds.x / 2, bounds.y / 2, ceilDiv(bounds.width, 2),
                        ceilDiv(bounds.height, 2)};
        const std::int64_t rowBytes = job.halfRect.width * bps;
        const std::int64_t channelBytes = rowBytes * job.halfRect.height;
        job.half.resize(static_cast<std::size_t>(channelBytes * info.channels));
        for (int c = 0; c < info.channels; ++c) {
            detail::downsample2x2(info.dtype, pixels.row<std::byte>(c, 0), pixels.rowStride(),
                                  bounds.width, bounds.height, job.half.data() + c * channelBytes,
                                  rowBytes);
        }
    }

    void writeTileToTiff(std::int64_t index, int plane, std::vector<std::byte>& bytes) {
        const std::int64_t tilesPerPlane = levels[0].tilesAcross * levels[0].tilesDown;
        const auto number = static_cast<std::uint32_t>(index + plane * tilesPerPlane);
        const auto size = static_cast<tmsize_t>(bytes.size());
        const tmsize_t written = options.compression == TiffCompression::Jpeg
                                     ? TIFFWriteEncodedTile(tif, number, bytes.data(), size)
                                     : TIFFWriteRawTile(tif, number, bytes.data(), size);
        if (written < 0)
            fail("writing tile " + std::to_string(number) + " failed");
        // libtiff appends tiles, so the file's size is how far it has written.
        struct stat file {};
        if (::fstat(TIFFFileno(tif), &file) == 0 &&
            file.st_size - writtenBackTo >= kWritebackInterval) {
            detail::startWriteback(TIFFFileno(tif), writtenBackTo, file.st_size - writtenBackTo);
            writtenBackTo = file.st_size;
        }
    }

    // Encodes and stores every ready tile of every level, a batch at a time, cascading each
    // tile's 2x2 mean into the next level.
    void flushReady() {
        for (std::size_t l = 0; l < levels.size(); ++l) {
            Level& level = levels[l];
            for (std::size_t first = 0; first < level.ready.size(); first += batchSize())
                flushBatch(l, first, std::min(batchSize(), level.ready.size() - first));
            level.ready.clear();
        }
    }

    void flushBatch(std::size_t l, std::size_t first, std::size_t count) {
        Level& level = levels[l];
        const bool hasNext = l + 1 < levels.size();
        if (jobs.size() < count)
            jobs.resize(count);
        for (std::size_t i = 0; i < count; ++i) {
            jobs[i].tile = std::move(level.ready[first + i]);
            jobs[i].error.clear();
        }
        const auto n = static_cast<std::int64_t>(count);
#pragma omp parallel for schedule(dynamic) num_threads(threads) if (n > 1)
        for (std::int64_t i = 0; i < n; ++i) {
            Job& job = jobs[static_cast<std::size_t>(i)];
            try {
                const ConstImageView pixels = pixelsOf(level, job.tile);
                encoder->encode(pixels, job.encoded);
                if (hasNext)
                    reduce(level, pixels, job);
            } catch (const std::exception& e) {
                job.error = std::string("encoding a tile failed: ") + e.what();
            }
        }
        for (std::size_t i = 0; i < count; ++i) {
            Job& job = jobs[i];
            if (!job.error.empty())
                fail(job.error);
            for (int p = 0; p < planes; ++p)
                store(l, job.tile.tile, p, job.encoded[static_cast<std::size_t>(p)]);
            ++level.tilesDone;
            if (hasNext) {
                const ConstImageView half(
                    job.half.data(), ImageInfo{job.halfRect.size(), info.channels, info.dtype},
                    job.halfRect.width * bps, job.halfRect.width * job.halfRect.height * bps);
                accept(l + 1, job.halfRect, half, false);
            }
            recycle(std::move(job.tile.buffer));
            job.tile = {};
        }
    }

    void store(std::size_t l, std::int64_t index, int plane, std::vector<std::byte>& bytes) {
        if (l == 0) {
            writeTileToTiff(index, plane, bytes);
            return;
        }
        int err = 0;
        if (!detail::pwriteFully(scratchFd, bytes.data(), bytes.size(), scratchEnd, err))
            fail("writing the scratch file '" + scratchPath + "' failed: " + errnoText(err));
        levels[l].stored[static_cast<std::size_t>(index * planes + plane)] = {
            scratchEnd, static_cast<std::int64_t>(bytes.size())};
        scratchEnd += static_cast<std::int64_t>(bytes.size());
    }

    template <typename... Args>
    void set(ttag_t tag, Args... values) {
        if (TIFFSetField(tif, tag, values...) != 1)
            fail("setting TIFF tag " + std::to_string(tag) + " failed");
    }

    std::string description() const {
        std::string text = "TileFlow pyramidal TIFF\n";
        if (options.micronsPerPixel)
            text += "microns per pixel: " + std::to_string(*options.micronsPerPixel) + "\n";
        for (std::size_t c = 0; c < options.channelNames.size(); ++c)
            text += "channel " + std::to_string(c) + ": " + options.channelNames[c] + "\n";
        return text;
    }

    void setTags(std::size_t l) {
        const Level& level = levels[l];
        set(TIFFTAG_SUBFILETYPE, l == 0 ? 0u : static_cast<unsigned>(FILETYPE_REDUCEDIMAGE));
        set(TIFFTAG_IMAGEWIDTH, static_cast<std::uint32_t>(level.size.width));
        set(TIFFTAG_IMAGELENGTH, static_cast<std::uint32_t>(level.size.height));
        set(TIFFTAG_TILEWIDTH, static_cast<std::uint32_t>(tile()));
        set(TIFFTAG_TILELENGTH, static_cast<std::uint32_t>(tile()));
        set(TIFFTAG_BITSPERSAMPLE, static_cast<int>(8 * bps));
        set(TIFFTAG_SAMPLESPERPIXEL, info.channels);
        set(TIFFTAG_SAMPLEFORMAT, static_cast<int>(sampleFormatOf(info.dtype)));
        // One sample is laid out the same either way; "contiguous" is what every reader
        // takes (libvips refuses tiled separate planes).
        const bool contiguous = rgb || info.channels == 1;
        set(TIFFTAG_PLANARCONFIG, contiguous ? PLANARCONFIG_CONTIG : PLANARCONFIG_SEPARATE);
        switch (options.compression) {
            case TiffCompression::None:
                set(TIFFTAG_COMPRESSION, COMPRESSION_NONE);
                break;
            case TiffCompression::Deflate:
                set(TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE);
                break;
            case TiffCompression::Zstd:
                set(TIFFTAG_COMPRESSION, COMPRESSION_ZSTD);
                break;
            case TiffCompression::Jpeg:
                set(TIFFTAG_COMPRESSION, COMPRESSION_JPEG);
                break;
        }
        if (options.compression == TiffCompression::Jpeg) {
            set(TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_YCBCR);
            set(TIFFTAG_JPEGQUALITY, options.jpegQuality);
            set(TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
        } else {
            set(TIFFTAG_PHOTOMETRIC, rgb ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK);
        }
        if (!rgb && info.channels > 1) {
            const std::vector<std::uint16_t> extra(static_cast<std::size_t>(info.channels - 1),
                                                   EXTRASAMPLE_UNSPECIFIED);
            set(TIFFTAG_EXTRASAMPLES, static_cast<std::uint16_t>(extra.size()), extra.data());
        }
        if (options.micronsPerPixel) {
            const auto scale = static_cast<double>(std::int64_t{1} << l);
            const auto perCm = static_cast<float>(10000.0 / (*options.micronsPerPixel * scale));
            set(TIFFTAG_RESOLUTIONUNIT, RESUNIT_CENTIMETER);
            set(TIFFTAG_XRESOLUTION, perCm);
            set(TIFFTAG_YRESOLUTION, perCm);
        }
        if (l == 0)
            set(TIFFTAG_IMAGEDESCRIPTION, description().c_str());
        set(TIFFTAG_SOFTWARE, "TileFlow");
    }

    void writeDirectory() {
        if (TIFFWriteDirectory(tif) != 1)
            fail("writing a TIFF directory failed");
    }

    void writeReducedLevels() {
        std::vector<std::byte> buffer;
        for (std::size_t l = 1; l < levels.size(); ++l) {
            const Level& level = levels[l];
            setTags(l);
            const std::int64_t tilesPerPlane = level.tilesAcross * level.tilesDown;
            for (int p = 0; p < planes; ++p) {
                for (std::int64_t t = 0; t < tilesPerPlane; ++t) {
                    const auto [offset, size] =
                        level.stored[static_cast<std::size_t>(t * planes + p)];
                    buffer.resize(static_cast<std::size_t>(size));
                    int err = 0;
                    if (!detail::preadFully(scratchFd, buffer.data(), buffer.size(), offset, err)) {
                        fail("reading the scratch file '" + scratchPath +
                             "' failed: " + errnoText(err));
                    }
                    const auto number = static_cast<std::uint32_t>(t + p * tilesPerPlane);
                    const tmsize_t written =
                        options.compression == TiffCompression::Jpeg
                            ? TIFFWriteEncodedTile(tif, number, buffer.data(), size)
                            : TIFFWriteRawTile(tif, number, buffer.data(), size);
                    if (written < 0)
                        fail("writing tile " + std::to_string(number) + " of level " +
                             std::to_string(l) + " failed");
                }
            }
            writeDirectory();
        }
    }

    void removeTemporaries() noexcept {
        if (tif != nullptr)
            TIFFClose(tif);
        tif = nullptr;
        if (scratchFd >= 0)
            ::close(scratchFd);
        scratchFd = -1;
        if (!tempPath.empty())
            ::unlink(tempPath.c_str());
        if (!scratchPath.empty())
            ::unlink(scratchPath.c_str());
        tempPath.clear();
        scratchPath.clear();
    }
};

TiffSink::TiffSink(std::string path, TiffSinkOptions options)
    : path_(std::move(path)), options_(std::move(options)) {}

TiffSink::~TiffSink() {
    abort();
}

void TiffSink::begin(const ImageInfo& info) {
    abort();
    const std::string what = "cannot write TIFF file '" + path_ + "': ";
    if (info.size.empty() || info.channels <= 0) {
        throw InvalidArgument(what + "the image has no pixels (" + std::to_string(info.size.width) +
                              "x" + std::to_string(info.size.height) + ", " +
                              std::to_string(info.channels) + " channels)");
    }
    if (info.size.width > 0xffffffffLL || info.size.height > 0xffffffffLL ||
        info.channels > 0xffff) {
        throw InvalidArgument(what + "the image is too large for TIFF");
    }
    if (options_.tileSize < 16 || options_.tileSize % 16 != 0 || options_.tileSize > 65536) {
        throw InvalidArgument(what + "tile size " + std::to_string(options_.tileSize) +
                              " is not a multiple of 16 between 16 and 65536");
    }
    const bool rgb = info.dtype == DType::U8 && info.channels == 3;
    if (options_.compression == TiffCompression::Jpeg && !rgb) {
        throw InvalidArgument(what + "JPEG compression needs u8 RGB (3 channels), not " +
                              std::to_string(info.channels) + " channel(s) of " +
                              std::string(dtypeName(info.dtype)));
    }
    if (options_.levels < 0 || options_.levels > 48) {
        throw InvalidArgument(what + "level count " + std::to_string(options_.levels) +
                              " is not between 0 (automatic) and 48");
    }
    if (options_.micronsPerPixel && !(*options_.micronsPerPixel > 0)) {
        throw InvalidArgument(what + "the pixel size must be positive");
    }
    if (!options_.channelNames.empty() &&
        options_.channelNames.size() != static_cast<std::size_t>(info.channels)) {
        throw InvalidArgument(what + std::to_string(options_.channelNames.size()) +
                              " channel names for " + std::to_string(info.channels) + " channels");
    }
    if (options_.jpegQuality < 1 || options_.jpegQuality > 100 || options_.deflateLevel < 1 ||
        options_.deflateLevel > 12 || options_.zstdLevel < 1 || options_.zstdLevel > 19) {
        throw InvalidArgument(what + "compression level out of range");
    }

    auto state = std::make_unique<State>();
    State& s = *state;
    s.path = path_;
    s.options = options_;
    s.info = info;
    s.rgb = rgb;
    s.planes = rgb ? 1 : info.channels;
    s.bps = static_cast<std::int64_t>(bytesPerSample(info.dtype));
    s.threads = options_.threads > 0 ? options_.threads : omp_get_max_threads();
    s.encoder.emplace(options_, info.dtype, rgb);
    Size size = info.size;
    const int levelCount = tiffLevelCount(info.size, options_);
    for (int l = 0; l < levelCount; ++l) {
        State::Level level;
        level.size = size;
        level.tilesAcross = ceilDiv(size.width, options_.tileSize);
        level.tilesDown = ceilDiv(size.height, options_.tileSize);
        if (l > 0) {
            level.stored.resize(
                static_cast<std::size_t>(level.tilesAcross * level.tilesDown * s.planes));
        }
        s.levels.push_back(std::move(level));
        size = detail::halvedSize(size);
    }

    // Keep the state even while failing, so that abort() removes what was created.
    state_ = std::move(state);
    s.tempPath = detail::temporaryPathFor(path_);
    const int fd = ::open(s.tempPath.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) {
        const int err = errno;
        const std::string temp = s.tempPath;
        s.tempPath.clear();
        abort();
        throw IoError(what + "cannot create the temporary '" + temp + "': " + errnoText(err));
    }
    try {
        TIFFOpenOptions* opts = TIFFOpenOptionsAlloc();
        TIFFOpenOptionsSetErrorHandlerExtR(opts, captureTiffError, &s.tiffErrors);
        TIFFOpenOptionsSetWarningHandlerExtR(opts, ignoreTiffWarning, nullptr);
        s.tif = TIFFFdOpenExt(fd, s.tempPath.c_str(), "w8", opts);
        TIFFOpenOptionsFree(opts);
        if (s.tif == nullptr) {
            ::close(fd);
            s.fail("libtiff cannot open the temporary '" + s.tempPath + "'");
        }
        if (levelCount > 1) {
            s.scratchPath = s.tempPath + ".levels";
            s.scratchFd =
                ::open(s.scratchPath.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
            if (s.scratchFd < 0) {
                const int err = errno;
                const std::string scratch = s.scratchPath;
                s.scratchPath.clear();
                s.fail("cannot create the scratch file '" + scratch + "': " + errnoText(err));
            }
        }
        s.setTags(0);
    } catch (...) {
        abort();
        throw;
    }
}

void TiffSink::write(const Rect& region, ConstImageView pixels) {
    if (!state_ || state_->tif == nullptr) {
        throw InvalidArgument("TiffSink '" + path_ + "': write() called outside begin()/commit()");
    }
    State& s = *state_;
    if (region.width < 0 || region.height < 0 || !rectOf(s.info.size).contains(region)) {
        throw InvalidArgument("TiffSink '" + path_ + "': region " + std::to_string(region.width) +
                              "x" + std::to_string(region.height) + "+" + std::to_string(region.x) +
                              "+" + std::to_string(region.y) + " is outside the image");
    }
    if (pixels.info() != ImageInfo{region.size(), s.info.channels, s.info.dtype}) {
        throw InvalidArgument("TiffSink '" + path_ + "': the pixel view must be " +
                              std::to_string(region.width) + "x" + std::to_string(region.height) +
                              " with " + std::to_string(s.info.channels) + " channel(s) of " +
                              std::string(dtypeName(s.info.dtype)));
    }
    if (region.empty())
        return;
    // Tiles borrowed from `pixels` must not outlive this call: a failed write aborts the sink.
    try {
        s.accept(0, region, pixels, true);
        s.flushReady();
    } catch (...) {
        abort();
        throw;
    }
}

void TiffSink::commit() {
    if (!state_ || state_->tif == nullptr) {
        throw InvalidArgument("TiffSink '" + path_ + "': commit() called without begin()");
    }
    State& s = *state_;
    try {
        for (std::size_t l = 0; l < s.levels.size(); ++l) {
            const State::Level& level = s.levels[l];
            if (level.tilesDone != level.tilesAcross * level.tilesDown) {
                throw InvalidArgument("TiffSink '" + path_ +
                                      "': commit() before every pixel was written");
            }
        }
        s.writeDirectory();
        s.writeReducedLevels();
        const int fd = TIFFFileno(s.tif);
        if (TIFFFlush(s.tif) != 1)
            s.fail("flushing the TIFF failed");
        if (::fsync(fd) != 0)
            s.fail("flushing to disk failed: " + errnoText(errno));
        TIFFClose(s.tif);
        s.tif = nullptr;
        if (!s.tiffErrors.empty())
            s.fail("closing the temporary failed");
        if (::rename(s.tempPath.c_str(), path_.c_str()) != 0) {
            s.fail("renaming '" + s.tempPath + "' into place failed: " + errnoText(errno));
        }
        s.tempPath.clear();
    } catch (...) {
        abort();
        throw;
    }
    s.removeTemporaries();
    state_.reset();
    try {
        detail::syncParentFolder(path_);
    } catch (const IoError&) {
        // The rename is the commit point; syncing the folder only makes it durable.
    }
}

void TiffSink::abort() noexcept {
    if (state_)
        state_->removeTemporaries();
    state_.reset();
}

}  // namespace tileflow
