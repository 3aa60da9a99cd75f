#include "tiff_directory.hpp"

#include <algorithm>
#include <array>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <string_view>

#include "tileflow/error.hpp"

namespace tileflow::detail {

namespace {

constexpr std::size_t kMaxMessage = 2000;
constexpr std::uint16_t kMaxSubIfds = 64;                      // pyramid levels read from one page
constexpr std::int64_t kRawBandBytes = std::int64_t{4} << 20;  // rows read at once from a strip

// Keeps libtiff's text for the messages TileFlow shows, which name the file already: without
// the module (a libtiff function name such as TIFFReadDirectory) or the leading "<file>: ".
void record(std::string& to, TIFF* tif, const char* fmt, va_list ap) {
    std::array<char, 512> text{};
    std::vsnprintf(text.data(), text.size(), fmt, ap);
    if (to.size() >= kMaxMessage)
        return;
    if (!to.empty())
        to += "; ";
    std::string_view message(text.data());
    const std::string file = tif != nullptr ? std::string(TIFFFileName(tif)) + ": " : "";
    if (!file.empty() && message.starts_with(file))
        message.remove_prefix(file.size());
    to += message;
}

int onError(TIFF* tif, void* user, const char*, const char* fmt, va_list ap) {
    record(static_cast<TiffHandle*>(user)->errors, tif, fmt, ap);
    return 1;
}

// Warnings raised while a tile decodes fail the read: libjpeg reports corrupt data only as a
// warning. The one exception is the deprecation notice libtiff gives for every old-JPEG file.
int onWarning(TIFF* tif, void* user, const char* module, const char* fmt, va_list ap) {
    if (module != nullptr && std::strcmp(module, "OJPEGSetupDecode") == 0)
        return 1;
    record(static_cast<TiffHandle*>(user)->warnings, tif, fmt, ap);
    return 1;
}

// a * b, or nullopt when it overflows 63 bits.
std::optional<std::int64_t> mul(std::int64_t a, std::int64_t b) {
    std::int64_t r = 0;
    if (a < 0 || b < 0 || __builtin_mul_overflow(a, b, &r))
        return std::nullopt;
    return r;
}

// libtiff's largest single allocations are raw (compressed) tiles, which may be somewhat
// larger than decoded ones, and tag arrays: 4 tiles' worth, 1 GiB by default.
tmsize_t maxLibtiffAlloc(const ResourceLimits& limits) {
    std::int64_t tiles = 0;
    if (__builtin_mul_overflow(limits.maxTileBytes, 4, &tiles))
        tiles = limits.maxMemoryBytes;
    return static_cast<tmsize_t>(std::min(tiles, limits.maxMemoryBytes));
}

std::optional<DType> dtypeFor(int bits, int format) {
    if (format == SAMPLEFORMAT_UINT) {
        if (bits == 8)
            return DType::U8;
        if (bits == 16)
            return DType::U16;
        if (bits == 32)
            return DType::U32;
    } else if (format == SAMPLEFORMAT_INT) {
        if (bits == 8)
            return DType::I8;
        if (bits == 16)
            return DType::I16;
    } else if (format == SAMPLEFORMAT_IEEEFP && bits == 32) {
        return DType::F32;
    }
    return std::nullopt;
}

std::string formatName(int format) {
    switch (format) {
        case SAMPLEFORMAT_UINT:
            return "unsigned integer";
        case SAMPLEFORMAT_INT:
            return "signed integer";
        case SAMPLEFORMAT_IEEEFP:
            return "floating-point";
        case SAMPLEFORMAT_VOID:
            return "untyped";
        case SAMPLEFORMAT_COMPLEXINT:
            return "complex integer";
        case SAMPLEFORMAT_COMPLEXIEEEFP:
            return "complex floating-point";
        default:
            return "SampleFormat " + std::to_string(format);
    }
}

}  // namespace

std::string tiffCompressionName(std::uint16_t compression) {
    const TIFFCodec* codec = TIFFFindCODEC(compression);
    if (codec != nullptr && codec->name != nullptr)
        return codec->name;
    return "compression " + std::to_string(compression);
}

void failTiff(const std::string& path, const std::string& what) {
    throw IoError(path + ": " + what);
}

void failTiff(TiffHandle& h, const std::string& path, const std::string& what) {
    h.broken = true;
    const std::string detail = !h.errors.empty() ? h.errors : h.warnings;
    failTiff(path, detail.empty() ? what : what + ": " + detail);
}

std::unique_ptr<TiffHandle> openTiff(const std::string& path, const ResourceLimits& limits) {
    auto h = std::make_unique<TiffHandle>();
    TIFFOpenOptions* options = TIFFOpenOptionsAlloc();
    if (options == nullptr)
        failTiff(path, "cannot allocate libtiff options");
    TIFFOpenOptionsSetErrorHandlerExtR(options, onError, h.get());
    TIFFOpenOptionsSetWarningHandlerExtR(options, onWarning, h.get());
    TIFFOpenOptionsSetMaxSingleMemAlloc(options, maxLibtiffAlloc(limits));
    h->tif = TIFFOpenExt(path.c_str(), "rmO", options);
    TIFFOpenOptionsFree(options);
    if (h->tif == nullptr)
        failTiff(*h, path, "cannot open as TIFF");
    return h;
}

TiffPlane readTiffLayout(TiffHandle& h, const std::string& path, std::uint64_t id,
                         const ResourceLimits& limits) {
    TIFF* tif = h.tif;
    TiffPlane p;
    p.offset = TIFFCurrentDirOffset(tif);
    p.id = id;
    const std::string where = "directory at offset " + std::to_string(p.offset);
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    if (TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &width) != 1 ||
        TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &height) != 1 || width == 0 || height == 0) {
        failTiff(path, where + " has no image size");
    }
    p.size = {width, height};
    limits.checkPixels(path + ": " + where, width, height);
    std::uint16_t samples = 1;
    std::uint16_t bits = 1;
    std::uint16_t format = SAMPLEFORMAT_UINT;
    std::uint16_t planar = PLANARCONFIG_CONTIG;
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &samples);
    TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bits);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &format);
    TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &planar);
    TIFFGetFieldDefaulted(tif, TIFFTAG_COMPRESSION, &p.compression);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SUBFILETYPE, &p.subfileType);
    if (TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &p.photometric) != 1)
        p.photometric = PHOTOMETRIC_MINISBLACK;
    if (samples < 1)
        failTiff(path, where + " has no samples per pixel");
    limits.checkChannels(path + ": " + where, samples);
    p.samples = samples;
    p.separate = planar == PLANARCONFIG_SEPARATE && samples > 1;
    p.tiled = TIFFIsTiled(tif) != 0;
    if (TIFFIsCODECConfigured(p.compression) == 0) {
        failTiff(path, where + " uses " + tiffCompressionName(p.compression) +
                           ", which this libtiff cannot decode");
    }

    p.rgba = p.compression == COMPRESSION_OJPEG ||
             (p.photometric == PHOTOMETRIC_YCBCR && p.compression != COMPRESSION_JPEG);
    p.jpegRgb = p.photometric == PHOTOMETRIC_YCBCR && p.compression == COMPRESSION_JPEG;
    if (p.rgba) {
        std::array<char, 1024> message{};
        if (TIFFRGBAImageOK(tif, message.data()) == 0)
            failTiff(path, where + " cannot be decoded to RGB: " + message.data());
        std::uint16_t extraCount = 0;
        std::uint16_t* extra = nullptr;
        TIFFGetFieldDefaulted(tif, TIFFTAG_EXTRASAMPLES, &extraCount, &extra);
        const bool colour = samples - extraCount >= 3;
        p.rgbaBytes = colour ? std::vector<int>{0, 1, 2} : std::vector<int>{0};
        if (extraCount > 0)
            p.rgbaBytes.push_back(3);
        p.channels = static_cast<int>(p.rgbaBytes.size());
        p.dtype = DType::U8;
    } else {
        const auto dtype = dtypeFor(bits, format);
        if (!dtype) {
            failTiff(path,
                     where + " has " + std::to_string(bits) + "-bit " + formatName(format) +
                         " samples; supported are 8-bit (un)signed, 16-bit (un)signed, 32-bit "
                         "unsigned and 32-bit floating-point");
        }
        p.dtype = *dtype;
        p.channels = samples;
        if (p.jpegRgb && TIFFSetField(tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB) != 1)
            failTiff(h, path, where + ": cannot convert JPEG YCbCr to RGB");
    }

    const std::int64_t sampleBytes =
        p.rgba ? 1 : static_cast<std::int64_t>(bytesPerSample(p.dtype));
    if (p.tiled) {
        TIFFGetField(tif, TIFFTAG_TILEWIDTH, &p.tileWidth);
        TIFFGetField(tif, TIFFTAG_TILELENGTH, &p.tileHeight);
        if (p.tileWidth == 0 || p.tileHeight == 0)
            failTiff(path, where + " has an empty tile size");
    } else {
        std::uint32_t rows = 0;
        std::uint16_t fillOrder = FILLORDER_MSB2LSB;
        TIFFGetFieldDefaulted(tif, TIFFTAG_ROWSPERSTRIP, &rows);
        TIFFGetFieldDefaulted(tif, TIFFTAG_FILLORDER, &fillOrder);
        p.tileWidth = width;
        p.rowsPerStrip = std::clamp<std::uint32_t>(rows, 1, height);
        p.tileHeight = p.rowsPerStrip;
        p.raw = p.compression == COMPRESSION_NONE && !p.rgba && fillOrder == FILLORDER_MSB2LSB;
        if (p.raw) {
            const std::int64_t rowBytes = std::int64_t{width} * p.samplesInTile() * sampleBytes;
            p.tileHeight = static_cast<std::uint32_t>(
                std::clamp<std::int64_t>(kRawBandBytes / rowBytes, 1, height));
            p.byteSwapped = TIFFIsByteSwapped(tif) != 0;
        }
    }
    p.tilesAcross = (std::int64_t{width} + p.tileWidth - 1) / p.tileWidth;
    p.tilesDown = (std::int64_t{height} + p.tileHeight - 1) / p.tileHeight;
    const auto tilePixels = mul(p.tileWidth, p.tileHeight);
    const auto bytes = tilePixels ? mul(*tilePixels, p.samplesInTile() * sampleBytes)
                                  : std::optional<std::int64_t>();
    const char* unit = p.tiled ? "tile" : "strip";
    const char* kind = p.tiled ? "tile" : p.raw ? "band of rows" : "compressed strip";
    limits.checkTile(path + ": " + where + ": one " + kind + " of " + std::to_string(p.tileWidth) +
                         "x" + std::to_string(p.tileHeight) + " pixels",
                     unit, bytes.value_or(std::numeric_limits<std::int64_t>::max()));
    if (!bytes)
        failTiff(path, where + ": the size of one " + kind + " overflows");
    p.tileBytes = *bytes;
    const std::int64_t stripsDown =
        p.tiled ? p.tilesDown : (std::int64_t{height} + p.rowsPerStrip - 1) / p.rowsPerStrip;
    const std::int64_t expected = p.tilesAcross * stripsDown * (p.separate ? samples : 1);
    const std::int64_t actual =
        p.tiled ? std::int64_t{TIFFNumberOfTiles(tif)} : std::int64_t{TIFFNumberOfStrips(tif)};
    if (actual != expected) {
        failTiff(path, where + " has " + std::to_string(actual) + " " + unit +
                           "s where its size needs " + std::to_string(expected));
    }
    if (p.rgba) {
        p.separate = false;  // the RGBA interface assembles the samples itself
    } else {
        const auto libtiffBytes = static_cast<std::int64_t>(
            p.tiled ? TIFFTileSize64(tif) : TIFFVStripSize64(tif, p.tileHeight));
        if (libtiffBytes != p.tileBytes) {
            failTiff(h, path,
                     where + ": unsupported sample layout (a " + unit + " decodes to " +
                         std::to_string(libtiffBytes) + " bytes, expected " +
                         std::to_string(p.tileBytes) + ")");
        }
    }
    std::uint16_t subCount = 0;
    std::uint64_t* subOffsets = nullptr;
    if (TIFFGetField(tif, TIFFTAG_SUBIFD, &subCount, &subOffsets) == 1 && subOffsets) {
        p.subIfds.assign(subOffsets, subOffsets + std::min<std::uint16_t>(subCount, kMaxSubIfds));
    }
    return p;
}

}  // namespace tileflow::detail
