#include "tileflow/tiff_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <tiffio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <mutex>
#include <optional>
#include <system_error>
#include <utility>
#include <vector>

#include "ome_xml.hpp"
#include "tiff_directory.hpp"
#include "tileflow/error.hpp"
#include "tileflow/limits.hpp"
#include "tileflow/tile_cache.hpp"

namespace tileflow {

namespace {

constexpr int kMaxPages = 1 << 16;
using Handle = detail::TiffHandle;
using Plane = detail::TiffPlane;

struct Level {
    Size size;
    double downsample = 1;
    std::vector<Plane> planes;
};

// Why a file with a TIFF signature that libtiff cannot open is cut short: its header or its
// first directory ends past the end of the file. Empty when that is not the reason.
std::string truncation(int fd, std::uint64_t fileSize) {
    std::array<unsigned char, 16> head{};
    if (::pread(fd, head.data(), head.size(), 0) < 4)
        return {};
    const bool little = head[0] == 'I' && head[1] == 'I';
    if (!little && !(head[0] == 'M' && head[1] == 'M'))
        return {};
    const auto value = [little](const unsigned char* at, int bytes) {
        std::uint64_t v = 0;
        for (int i = 0; i < bytes; ++i)
            v |= std::uint64_t{at[i]} << (8 * (little ? i : bytes - 1 - i));
        return v;
    };
    const std::uint64_t version = value(&head[2], 2);
    if (version != 42 && version != 43)
        return {};
    const bool big = version == 43;
    const std::uint64_t headerBytes = big ? 16 : 8;
    const std::string cut = "the file is truncated (" + std::to_string(fileSize) + " bytes): ";
    if (fileSize < headerBytes)
        return cut + "it ends inside the TIFF header";
    // The first directory: an entry count, the entries, the offset of the next directory.
    const std::uint64_t first = big ? value(&head[8], 8) : value(&head[4], 4);
    const int countBytes = big ? 8 : 2;
    const std::uint64_t entryBytes = big ? 20 : 12;
    const std::uint64_t nextBytes = big ? 8 : 4;
    const std::string directory = "its first directory, at offset " + std::to_string(first) +
                                  ", runs past the end of the file";
    std::array<unsigned char, 8> count{};
    if (first > fileSize || fileSize - first < static_cast<std::uint64_t>(countBytes) ||
        ::pread(fd, count.data(), static_cast<std::size_t>(countBytes),
                static_cast<off_t>(first)) != countBytes) {
        return cut + directory;
    }
    const std::uint64_t entries = value(count.data(), countBytes);
    const std::uint64_t room = fileSize - first - static_cast<std::uint64_t>(countBytes);
    if (entries > room / entryBytes || room - entries * entryBytes < nextBytes)
        return cut + directory;
    return {};
}

}  // namespace

struct TiffSource::Impl {
    std::string path;
    ResourceLimits limits = resourceLimits();
    ImageInfo info;
    std::vector<Level> levels;
    SourceMetadata meta;
    mutable TileCache cache;
    mutable std::mutex poolMutex;
    mutable std::vector<std::unique_ptr<Handle>> idle;
    int fd = -1;  // read-only, for the rows of uncompressed strips (pread is thread-safe)
    std::uint64_t fileSize = 0;

    Impl(std::string p, std::int64_t cacheBytes) : path(std::move(p)), cache(cacheBytes) {}
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;
    ~Impl() {
        if (fd >= 0)
            ::close(fd);
    }

    [[noreturn]] void fail(const std::string& what) const { throw IoError(path + ": " + what); }

    [[noreturn]] void failLibtiff(Handle& h, const std::string& what) const {
        detail::failTiff(h, path, what);
    }

    // A handle from the pool (or a new one) that goes back to the pool when released.
    class Lease {
    public:
        explicit Lease(const Impl& impl) : impl_(impl) {
            {
                std::lock_guard lock(impl.poolMutex);
                if (!impl.idle.empty()) {
                    handle_ = std::move(impl.idle.back());
                    impl.idle.pop_back();
                }
            }
            if (!handle_)
                handle_ = detail::openTiff(impl.path, impl.limits);
        }
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        ~Lease() {
            if (handle_->broken)
                return;
            std::lock_guard lock(impl_.poolMutex);
            impl_.idle.push_back(std::move(handle_));
        }
        Handle& operator*() const { return *handle_; }

    private:
        const Impl& impl_;
        std::unique_ptr<Handle> handle_;
    };

    void select(Handle& h, const Plane& plane) const {
        if (h.dirOffset == plane.offset)
            return;
        h.clearMessages();
        h.dirOffset = 0;
        if (TIFFSetSubDirectory(h.tif, plane.offset) == 0 || !h.errors.empty()) {
            failLibtiff(h, "cannot read the directory at offset " + std::to_string(plane.offset));
        }
        if (plane.jpegRgb)
            TIFFSetField(h.tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
        h.dirOffset = plane.offset;
    }

    // Reads band `index` of a raw plane: its rows, straight from the strips that hold them.
    TileCache::Bytes readRows(const Plane& plane, std::uint32_t index) const {
        const std::int64_t rowBytes = plane.tileBytes / plane.tileHeight;
        const std::int64_t sample = index / plane.tilesDown;  // a raw plane is one band across
        const std::int64_t first = (index % plane.tilesDown) * plane.tileHeight;
        const std::int64_t end =
            std::min<std::int64_t>(first + plane.tileHeight, plane.size.height);
        const std::int64_t stripsPerSample =
            (plane.size.height + plane.rowsPerStrip - 1) / plane.rowsPerStrip;
        TileCache::Bytes bytes(static_cast<std::size_t>((end - first) * rowBytes));
        Lease lease(*this);
        Handle& h = *lease;
        select(h, plane);
        for (std::int64_t row = first; row < end;) {
            const std::int64_t strip = row / plane.rowsPerStrip;
            const std::int64_t stop = std::min<std::int64_t>(end, (strip + 1) * plane.rowsPerStrip);
            const auto stripIndex = static_cast<std::uint32_t>(sample * stripsPerSample + strip);
            const std::string what = "strip " + std::to_string(stripIndex) +
                                     " of the directory at offset " + std::to_string(plane.offset);
            h.clearMessages();
            int error = 0;
            const std::uint64_t start = TIFFGetStrileOffsetWithErr(h.tif, stripIndex, &error);
            const std::uint64_t count = TIFFGetStrileByteCountWithErr(h.tif, stripIndex, &error);
            if (error != 0 || !h.errors.empty())
                failLibtiff(h, "cannot locate " + what);
            const auto skip =
                static_cast<std::uint64_t>((row - strip * plane.rowsPerStrip) * rowBytes);
            const auto length = static_cast<std::uint64_t>((stop - row) * rowBytes);
            if (skip + length > count) {
                fail(what + " holds " + std::to_string(count) + " bytes, fewer than its " +
                     std::to_string(plane.size.width) + "-pixel rows need");
            }
            if (start > fileSize || fileSize - start < skip + length)
                fail(what + " lies past the end of the file");
            std::byte* to = bytes.data() + (row - first) * rowBytes;
            auto at = static_cast<off_t>(start + skip);
            for (std::uint64_t left = length; left > 0;) {
                const ssize_t n = ::pread(fd, to, left, at);
                const int err = errno;
                if (n < 0 && err == EINTR)
                    continue;
                if (n <= 0) {
                    fail("cannot read " + what + ": " +
                         (n < 0 ? std::generic_category().message(err) : "the file is shorter"));
                }
                to += n;
                at += n;
                left -= static_cast<std::uint64_t>(n);
            }
            row = stop;
        }
        if (plane.byteSwapped) {
            if (bytesPerSample(plane.dtype) == 2) {
                TIFFSwabArrayOfShort(reinterpret_cast<std::uint16_t*>(bytes.data()),
                                     static_cast<tmsize_t>(bytes.size() / 2));
            } else if (bytesPerSample(plane.dtype) == 4) {
                TIFFSwabArrayOfLong(reinterpret_cast<std::uint32_t*>(bytes.data()),
                                    static_cast<tmsize_t>(bytes.size() / 4));
            }
        }
        return bytes;
    }

    // Decodes tile (or strip) `index` of `plane`: samples interleaved as the file stores them.
    TileCache::Bytes decode(const Plane& plane, std::uint32_t index) const {
        if (plane.raw)
            return readRows(plane, index);
        Lease lease(*this);
        Handle& h = *lease;
        select(h, plane);
        h.clearMessages();
        const char* unit = plane.tiled ? "tile" : "strip";
        const std::string what = std::string("cannot decode ") + unit + " " +
                                 std::to_string(index) + " of the directory at offset " +
                                 std::to_string(plane.offset);
        TileCache::Bytes bytes(static_cast<std::size_t>(plane.tileBytes));
        const std::int64_t row = (index % plane.tilesDown) * plane.tileHeight;
        const std::int64_t rows =
            plane.tiled ? plane.tileHeight
                        : std::min<std::int64_t>(plane.tileHeight, plane.size.height - row);
        if (plane.rgba) {
            std::vector<std::uint32_t> raster(static_cast<std::size_t>(plane.tileWidth) *
                                              plane.tileHeight);
            int ok = 0;
            if (plane.tiled) {
                const auto col =
                    static_cast<std::uint32_t>((index % plane.tilesAcross) * plane.tileWidth);
                const auto top =
                    static_cast<std::uint32_t>((index / plane.tilesAcross) * plane.tileHeight);
                ok = TIFFReadRGBATileExt(h.tif, col, top, raster.data(), 1);
            } else {
                ok = TIFFReadRGBAStripExt(h.tif, static_cast<std::uint32_t>(row), raster.data(), 1);
            }
            // Old-style JPEG cannot decode a tile twice without the directory being read
            // again: the next decode on this handle reloads it.
            h.dirOffset = 0;
            if (ok == 0 || !h.errors.empty() || !h.warnings.empty())
                failLibtiff(h, what);
            // The RGBA raster is bottom-up; store it top-down as R, G, B, A bytes.
            const auto w = static_cast<std::size_t>(plane.tileWidth);
            for (std::int64_t y = 0; y < rows; ++y) {
                const std::uint32_t* src =
                    raster.data() + static_cast<std::size_t>(rows - 1 - y) * w;
                std::byte* dst = bytes.data() + static_cast<std::size_t>(y) * w * 4;
                for (std::size_t x = 0; x < w; ++x) {
                    dst[4 * x + 0] = static_cast<std::byte>(TIFFGetR(src[x]));
                    dst[4 * x + 1] = static_cast<std::byte>(TIFFGetG(src[x]));
                    dst[4 * x + 2] = static_cast<std::byte>(TIFFGetB(src[x]));
                    dst[4 * x + 3] = static_cast<std::byte>(TIFFGetA(src[x]));
                }
            }
            return bytes;
        }
        const std::int64_t expected =
            plane.tiled ? plane.tileBytes : plane.tileBytes / plane.tileHeight * rows;
        const tmsize_t n = plane.tiled
                               ? TIFFReadEncodedTile(h.tif, index, bytes.data(), plane.tileBytes)
                               : TIFFReadEncodedStrip(h.tif, index, bytes.data(), plane.tileBytes);
        if (n < 0 || !h.errors.empty() || !h.warnings.empty())
            failLibtiff(h, what);
        if (n < expected) {
            h.broken = true;
            fail(what + ": it holds " + std::to_string(n) + " of " + std::to_string(expected) +
                 " bytes");
        }
        return bytes;
    }

    void checkRequest(int level, const Rect& region, const ImageView& out) const {
        if (level < 0 || level >= static_cast<int>(levels.size())) {
            throw InvalidArgument(path + ": level " + std::to_string(level) +
                                  " does not exist (the image has " +
                                  std::to_string(levels.size()) + " levels)");
        }
        const Size size = levels[static_cast<std::size_t>(level)].size;
        if (region.width < 0 || region.height < 0 || !rectOf(size).contains(region)) {
            throw InvalidArgument(path + ": region " + std::to_string(region.width) + "x" +
                                  std::to_string(region.height) + "+" + std::to_string(region.x) +
                                  "+" + std::to_string(region.y) + " is outside level " +
                                  std::to_string(level) + " (" + std::to_string(size.width) + "x" +
                                  std::to_string(size.height) + ")");
        }
        const ImageInfo expected{region.size(), info.channels, info.dtype};
        if (out.info() != expected) {
            throw InvalidArgument(
                path + ": the pixel view must be " + std::to_string(region.width) + "x" +
                std::to_string(region.height) + " with " + std::to_string(info.channels) +
                " channel(s) of " + std::string(dtypeName(info.dtype)));
        }
    }

    template <std::int64_t B>
    static void copySamples(const Plane& plane, const std::byte* tile, const Rect& part,
                            std::int64_t tileX, std::int64_t tileY, int sample, ImageView out,
                            int channel, const Rect& region) {
        const std::int64_t step = plane.samplesInTile();
        const auto rowBytes = static_cast<std::int64_t>(plane.tileWidth) * step * B;
        for (std::int64_t y = part.y; y < part.bottom(); ++y) {
            const std::byte* src =
                tile + (y - tileY) * rowBytes + ((part.x - tileX) * step + sample) * B;
            std::byte* dst = out.row<std::byte>(channel, y - region.y) + (part.x - region.x) * B;
            if (step == 1) {
                std::memcpy(dst, src, static_cast<std::size_t>(part.width * B));
                continue;
            }
            for (std::int64_t x = 0; x < part.width; ++x) {
                std::memcpy(dst + x * B, src + x * step * B, B);
            }
        }
    }

    // Copies the channels `plane` holds for `region` into out, from channel `firstChannel` on.
    void readPixels(const Plane& plane, int firstChannel, const Rect& region, ImageView out) const {
        const std::size_t sampleBytes = plane.rgba ? 1 : bytesPerSample(plane.dtype);
        const std::int64_t tx0 = region.x / plane.tileWidth;
        const std::int64_t tx1 = (region.right() - 1) / plane.tileWidth;
        const std::int64_t ty0 = region.y / plane.tileHeight;
        const std::int64_t ty1 = (region.bottom() - 1) / plane.tileHeight;
        const int tilePlanes = plane.separate ? plane.samples : 1;
        const std::int64_t perPlane = plane.tilesAcross * plane.tilesDown;
        for (int s = 0; s < tilePlanes; ++s) {
            for (std::int64_t ty = ty0; ty <= ty1; ++ty) {
                for (std::int64_t tx = tx0; tx <= tx1; ++tx) {
                    const auto index =
                        static_cast<std::uint32_t>(s * perPlane + ty * plane.tilesAcross + tx);
                    const TileCache::Tile tile =
                        cache.get({plane.id, index}, [&] { return decode(plane, index); });
                    const std::int64_t tileX = tx * plane.tileWidth;
                    const std::int64_t tileY = ty * plane.tileHeight;
                    const Rect part =
                        Rect{tileX, tileY, plane.tileWidth, plane.tileHeight}.intersected(region);
                    const int samples = plane.separate ? 1 : plane.channels;
                    for (int i = 0; i < samples; ++i) {
                        const int sample = plane.rgba ? plane.rgbaBytes[static_cast<std::size_t>(i)]
                                           : plane.separate ? 0
                                                            : i;
                        const int channel = firstChannel + (plane.separate ? s : i);
                        switch (sampleBytes) {
                            case 1:
                                copySamples<1>(plane, tile->data(), part, tileX, tileY, sample, out,
                                               channel, region);
                                break;
                            case 2:
                                copySamples<2>(plane, tile->data(), part, tileX, tileY, sample, out,
                                               channel, region);
                                break;
                            default:
                                copySamples<4>(plane, tile->data(), part, tileX, tileY, sample, out,
                                               channel, region);
                                break;
                        }
                    }
                }
            }
        }
    }

    void load();
};

void TiffSource::Impl::load() {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        fail("cannot open: " + std::generic_category().message(errno));
    if (!S_ISREG(st.st_mode))
        fail("cannot open: not a regular file");
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::fstat(fd, &st) != 0)
        fail("cannot open: " + std::generic_category().message(errno));
    fileSize = static_cast<std::uint64_t>(st.st_size);

    std::unique_ptr<Handle> h;
    try {
        h = detail::openTiff(path, limits);
    } catch (const IoError&) {
        if (const std::string cut = truncation(fd, fileSize); !cut.empty())
            fail(cut);
        throw;
    }
    TIFF* tif = h->tif;

    // Every top-level page; libtiff refuses IFD loops while walking the chain.
    std::vector<std::optional<Plane>> pages;
    std::string description;
    std::string software;
    std::uint64_t nextId = 0;
    while (true) {
        if (static_cast<int>(pages.size()) >= kMaxPages)
            fail("the file has more than " + std::to_string(kMaxPages) + " pages");
        if (pages.empty()) {
            char* text = nullptr;
            if (TIFFGetField(tif, TIFFTAG_IMAGEDESCRIPTION, &text) == 1 && text)
                description = text;
            if (TIFFGetField(tif, TIFFTAG_SOFTWARE, &text) == 1 && text)
                software = text;
            pages.emplace_back(detail::readTiffLayout(*h, path, nextId++, limits));
        } else {
            try {
                pages.emplace_back(detail::readTiffLayout(*h, path, nextId++, limits));
            } catch (const IoError&) {
                pages.emplace_back();  // a page we cannot read is not a channel or a level
            }
        }
        h->clearMessages();
        if (TIFFReadDirectory(tif) == 0) {
            // libtiff stops silently at a page chain that loops back; the chain did not end.
            if (!h->errors.empty() || TIFFLastDirectory(tif) == 0) {
                failLibtiff(*h, "cannot read page " + std::to_string(pages.size()) +
                                    " (the chain of pages loops or is broken)");
            }
            break;
        }
        if (!h->errors.empty())
            failLibtiff(*h, "cannot read page " + std::to_string(pages.size()));
    }
    const Plane& first = *pages[0];

    // Which pages are the channels of level 0.
    std::vector<std::size_t> channelPages;
    const std::optional<detail::OmePixels> ome = detail::parseOmeXml(description, path);
    if (ome) {
        const int perPage = first.channels;
        if (ome->sizeC % perPage != 0) {
            fail("the OME-XML has SizeC=" + std::to_string(ome->sizeC) +
                 " but the first page has " + std::to_string(perPage) + " samples per pixel");
        }
        for (int c = 0; c < ome->sizeC / perPage; ++c) {
            const long long index = detail::omePlaneIndex(*ome, c, 0, 0);
            if (index >= static_cast<long long>(pages.size())) {
                fail("the OME-XML places channel " + std::to_string(c) + " in page " +
                     std::to_string(index) + " but the file has " + std::to_string(pages.size()) +
                     " pages");
            }
            const auto& page = pages[static_cast<std::size_t>(index)];
            if (!page || !page->sameKind(first) || page->size != first.size)
                fail("page " + std::to_string(index) + " of channel " + std::to_string(c) +
                     " differs from the first page");
            channelPages.push_back(static_cast<std::size_t>(index));
        }
    } else {
        for (std::size_t i = 0; i < pages.size(); ++i) {
            const auto& page = pages[i];
            if (i == 0 ||
                (page && (page->subfileType & (FILETYPE_REDUCEDIMAGE | FILETYPE_MASK)) == 0 &&
                 page->sameKind(first) && page->size == first.size)) {
                channelPages.push_back(i);
            }
        }
    }
    int channels = 0;
    for (std::size_t i : channelPages)
        channels += pages[i]->channels;
    limits.checkChannels(path + ": the image", channels);
    info = {first.size, channels, first.dtype};

    Level base;
    base.size = first.size;
    for (std::size_t i : channelPages)
        base.planes.push_back(*pages[i]);
    levels.push_back(std::move(base));

    // Reduced levels: SubIFDs of every channel page, or else reduced top-level pages.
    const auto fits = [&](const Level& level) {
        if (level.planes.size() != levels[0].planes.size() || level.size.width > info.size.width ||
            level.size.height > info.size.height || level.size == info.size) {
            return false;
        }
        // A level keeps the aspect ratio (label or macro pages do not), up to rounding.
        const double expectedHeight = static_cast<double>(info.size.height) *
                                      static_cast<double>(level.size.width) /
                                      static_cast<double>(info.size.width);
        if (std::abs(expectedHeight - static_cast<double>(level.size.height)) >
            1 + static_cast<double>(level.size.height) / 50) {
            return false;
        }
        for (std::size_t k = 0; k < level.planes.size(); ++k) {
            if (!level.planes[k].sameKind(levels[0].planes[k]) ||
                level.planes[k].size != level.size) {
                return false;
            }
        }
        return true;
    };
    std::size_t subLevels = first.subIfds.size();
    for (const Plane& p : levels[0].planes)
        subLevels = std::min(subLevels, p.subIfds.size());
    for (std::size_t k = 0; k < subLevels; ++k) {
        Level level;
        for (const Plane& p : levels[0].planes) {
            h->clearMessages();
            h->dirOffset = 0;
            if (TIFFSetSubDirectory(tif, p.subIfds[k]) == 0 || !h->errors.empty())
                failLibtiff(*h, "cannot read SubIFD " + std::to_string(k));
            try {
                level.planes.push_back(detail::readTiffLayout(*h, path, nextId++, limits));
            } catch (const IoError&) {
                break;  // a SubIFD we cannot read (a thumbnail, say) is not a level
            }
        }
        level.size = level.planes.empty() ? Size{} : level.planes[0].size;
        if (fits(level))
            levels.push_back(std::move(level));
    }
    if (levels.size() == 1 && !ome) {
        const std::size_t n = channelPages.size();
        for (std::size_t i = 0; i < pages.size(); ++i) {
            if (!pages[i] || (pages[i]->subfileType & FILETYPE_REDUCEDIMAGE) == 0 ||
                i + n > pages.size()) {
                continue;
            }
            Level level;
            level.size = pages[i]->size;
            for (std::size_t k = 0; k < n; ++k) {
                if (pages[i + k])
                    level.planes.push_back(*pages[i + k]);
            }
            if (fits(level)) {
                levels.push_back(std::move(level));
                i += n - 1;
            }
        }
    }
    std::stable_sort(levels.begin() + 1, levels.end(),
                     [](const Level& a, const Level& b) { return a.size.width > b.size.width; });
    for (Level& level : levels) {
        level.downsample =
            (static_cast<double>(info.size.width) / static_cast<double>(level.size.width) +
             static_cast<double>(info.size.height) / static_cast<double>(level.size.height)) /
            2;
    }

    // Metadata.
    meta.format = ome ? "ome-tiff" : "tiff";
    for (const Level& level : levels)
        meta.levels.push_back({level.size, level.downsample});
    std::vector<std::string> names;
    if (ome && static_cast<int>(ome->channelNames.size()) == channels) {
        names = ome->channelNames;
    } else if (!ome && channelPages.size() == 1 &&
               (first.photometric == PHOTOMETRIC_RGB || first.rgba || first.jpegRgb) &&
               channels >= 3) {
        names = {"R", "G", "B"};
        if (channels == 4)
            names.emplace_back("A");
    }
    names.resize(static_cast<std::size_t>(channels));
    for (std::size_t c = 0; c < names.size(); ++c) {
        if (names[c].empty())
            names[c] = "C" + std::to_string(c);
    }
    meta.channelNames = std::move(names);
    if (ome) {
        meta.micronsPerPixel = ome->micronsPerPixel;
    } else {
        float xres = 0;
        std::uint16_t unit = RESUNIT_NONE;
        // Only an explicit unit counts: the TIFF default (inch) turns the common 72 dpi of
        // screen images into a meaningless 353 µm pixel.
        if (TIFFSetSubDirectory(tif, first.offset) != 0 &&
            TIFFGetField(tif, TIFFTAG_RESOLUTIONUNIT, &unit) == 1 &&
            TIFFGetField(tif, TIFFTAG_XRESOLUTION, &xres) == 1 && xres > 0) {
            if (unit == RESUNIT_CENTIMETER)
                meta.micronsPerPixel = 1e4 / static_cast<double>(xres);
            else if (unit == RESUNIT_INCH)
                meta.micronsPerPixel = 25400 / static_cast<double>(xres);
        }
    }
    auto& props = meta.properties;
    if (!description.empty())
        props.emplace_back("tiff.ImageDescription", description);
    if (!software.empty())
        props.emplace_back("tiff.Software", software);
    props.emplace_back("tiff.Compression", detail::tiffCompressionName(first.compression));
    props.emplace_back("tiff.Layout",
                       (first.tiled ? "tiled " : "stripped ") + std::to_string(first.tileWidth) +
                           "x" +
                           std::to_string(first.tiled ? first.tileHeight : first.rowsPerStrip));
    props.emplace_back("tiff.PlanarConfiguration", first.separate ? "separate" : "contiguous");
    props.emplace_back("tiff.Pages", std::to_string(pages.size()));
    if (ome) {
        props.emplace_back("ome.SizeC", std::to_string(ome->sizeC));
        props.emplace_back("ome.SizeZ", std::to_string(ome->sizeZ));
        props.emplace_back("ome.SizeT", std::to_string(ome->sizeT));
        props.emplace_back("ome.DimensionOrder", ome->dimensionOrder);
    }

    // Layout errors of pages left out above do not affect the handle; it joins the pool.
    h->clearMessages();
    h->dirOffset = 0;
    h->broken = false;
    idle.push_back(std::move(h));
}

TiffSource::TiffSource(const std::string& path, std::int64_t cacheBytes)
    : impl_(std::make_unique<Impl>(path, cacheBytes)) {
    impl_->load();
}

TiffSource::~TiffSource() = default;

ImageInfo TiffSource::info() const {
    return impl_->info;
}

const std::string& TiffSource::path() const {
    return impl_->path;
}

SourceMetadata TiffSource::metadata() const {
    return impl_->meta;
}

void TiffSource::read(const Rect& region, ImageView out) const {
    readLevel(0, region, out);
}

void TiffSource::readLevel(int level, const Rect& region, ImageView out) const {
    impl_->checkRequest(level, region, out);
    if (region.empty())
        return;
    int channel = 0;
    for (const Plane& plane : impl_->levels[static_cast<std::size_t>(level)].planes) {
        impl_->readPixels(plane, channel, region, out);
        channel += plane.channels;
    }
}

}  // namespace tileflow
