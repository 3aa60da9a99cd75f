#include "tileflow/openslide_source.hpp"

#include <openslide.h>
#include <tiffio.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "tileflow/error.hpp"
#include "tileflow/limits.hpp"

namespace tileflow {

namespace {

std::string rectText(const Rect& r) {
    return std::to_string(r.width) + "x" + std::to_string(r.height) + "+" + std::to_string(r.x) +
           "+" + std::to_string(r.y);
}

std::optional<std::array<std::uint8_t, 3>> parseHexColour(std::string_view text) {
    if (text.size() != 6)
        return std::nullopt;
    std::array<std::uint8_t, 3> rgb{};
    for (std::size_t i = 0; i < 3; ++i) {
        unsigned value = 0;
        const char* first = text.data() + 2 * i;
        const auto [end, ec] = std::from_chars(first, first + 2, value, 16);
        if (ec != std::errc() || end != first + 2)
            return std::nullopt;
        rgb[i] = static_cast<std::uint8_t>(value);
    }
    return rgb;
}

std::optional<double> parsePositive(const char* text) {
    if (text == nullptr)
        return std::nullopt;
    const std::string_view s(text);
    double value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(value) || value <= 0)
        return std::nullopt;
    return value;
}

// ARGB scratch per reading thread, reused between calls: fresh memory is slow to touch the
// first time (page faults), and every region read needs one.
std::uint32_t* scratch(std::size_t pixels) {
    thread_local std::unique_ptr<std::uint32_t[]> buffer;
    thread_local std::size_t capacity = 0;
    if (capacity < pixels) {
        buffer.reset();
        capacity = 0;
        buffer = std::make_unique_for_overwrite<std::uint32_t[]>(pixels);
        capacity = pixels;
    }
    return buffer.get();
}

int ignoreTiffMessage(TIFF*, void*, const char*, const char*, va_list) {
    return 1;
}

// The last libtiff error raised on this thread outside a per-handle handler: OpenSlide 3.4.1
// opens TIFF-based slides with libtiff's process-wide handlers, which would print to stderr.
std::string& tiffError() {
    thread_local std::string text;
    return text;
}

void captureTiffError(const char* module, const char* format, va_list args) {
    std::array<char, 512> text{};
    std::vsnprintf(text.data(), text.size(), format, args);
    tiffError() = module != nullptr ? std::string(module) + ": " + text.data() : text.data();
}

// Installed once, before OpenSlide first touches libtiff. TileFlow's own TIFF code uses
// per-handle handlers, which take precedence and are unaffected.
void installProcessWideTiffHandlers() {
    static std::once_flag once;
    std::call_once(once, [] {
        TIFFSetWarningHandler(nullptr);
        TIFFSetErrorHandler(captureTiffError);
    });
}

// Whether the first directory of `path` is 8-bit unsigned RGB/YCbCr with at most one alpha
// sample: the only generic TIFFs OpenSlide reads without converting them.
bool isEightBitRgbTiff(const std::string& path) {
    TIFFOpenOptions* options = TIFFOpenOptionsAlloc();
    if (options == nullptr)
        return false;
    TIFFOpenOptionsSetErrorHandlerExtR(options, ignoreTiffMessage, nullptr);
    TIFFOpenOptionsSetWarningHandlerExtR(options, ignoreTiffMessage, nullptr);
    TIFF* tiff = TIFFOpenExt(path.c_str(), "rm", options);
    TIFFOpenOptionsFree(options);
    if (tiff == nullptr)
        return false;
    std::uint16_t bits = 0;
    std::uint16_t samples = 0;
    std::uint16_t format = 0;
    std::uint16_t photometric = 0;
    std::uint16_t extraCount = 0;
    std::uint16_t* extraTypes = nullptr;
    const bool known =
        TIFFGetFieldDefaulted(tiff, TIFFTAG_BITSPERSAMPLE, &bits) == 1 &&
        TIFFGetFieldDefaulted(tiff, TIFFTAG_SAMPLESPERPIXEL, &samples) == 1 &&
        TIFFGetFieldDefaulted(tiff, TIFFTAG_SAMPLEFORMAT, &format) == 1 &&
        TIFFGetField(tiff, TIFFTAG_PHOTOMETRIC, &photometric) == 1 &&
        TIFFGetFieldDefaulted(tiff, TIFFTAG_EXTRASAMPLES, &extraCount, &extraTypes) == 1;
    const bool alpha =
        samples == 4 && extraCount == 1 && extraTypes != nullptr &&
        (extraTypes[0] == EXTRASAMPLE_ASSOCALPHA || extraTypes[0] == EXTRASAMPLE_UNASSALPHA);
    const bool rgb = known && bits == 8 && format == SAMPLEFORMAT_UINT &&
                     (photometric == PHOTOMETRIC_RGB || photometric == PHOTOMETRIC_YCBCR) &&
                     (samples == 3 || alpha);
    TIFFClose(tiff);
    return rgb;
}

}  // namespace

struct OpenSlideSource::Impl {
    std::string path;
    ResourceLimits limits = resourceLimits();
    openslide_t* osr = nullptr;
    std::string vendor;
    std::array<std::uint8_t, 3> background{255, 255, 255};
    SourceMetadata metadata;
    mutable std::mutex errorMutex;
    mutable std::string error;  // the first failure, once there is one

    explicit Impl(std::string p) : path(std::move(p)) {}
    ~Impl() {
        if (osr != nullptr)
            openslide_close(osr);
    }
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    // Throws the handle's error, if it has one. OpenSlide's errors are sticky, and so is the
    // message: every later call repeats the first failure's, whichever thread makes it.
    void check() const {
        const char* message = openslide_get_error(osr);
        if (message == nullptr)
            return;
        const std::string detail = std::exchange(tiffError(), std::string());
        const std::lock_guard lock(errorMutex);
        if (error.empty()) {
            error = path + ": " + message;
            if (!detail.empty() && error.find(detail) == std::string::npos)
                error += " (libtiff: " + detail + ")";
        }
        throw IoError(error);
    }
    [[noreturn]] void fail(const std::string& what) const { throw IoError(path + ": " + what); }

    void open();
    void readLevel(int level, const Rect& region, ImageView out) const;
};

void OpenSlideSource::Impl::open() {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        fail("no such file");
    installProcessWideTiffHandlers();
    tiffError().clear();
    osr = openslide_open(path.c_str());
    if (osr == nullptr)
        fail("not a slide OpenSlide " + std::string(openslide_get_version()) + " can read");
    check();

    const char* vendorName = openslide_get_property_value(osr, OPENSLIDE_PROPERTY_NAME_VENDOR);
    check();
    vendor = vendorName != nullptr ? vendorName : "";
    metadata.format = vendor;

    const std::int32_t levels = openslide_get_level_count(osr);
    check();
    if (levels < 1)
        fail("OpenSlide reports no levels");
    for (std::int32_t level = 0; level < levels; ++level) {
        std::int64_t width = -1;
        std::int64_t height = -1;
        openslide_get_level_dimensions(osr, level, &width, &height);
        check();
        const double downsample = openslide_get_level_downsample(osr, level);
        check();
        if (width <= 0 || height <= 0 || !std::isfinite(downsample) || downsample <= 0) {
            fail("level " + std::to_string(level) + " has an invalid size " +
                 std::to_string(width) + "x" + std::to_string(height) + " or downsample " +
                 std::to_string(downsample));
        }
        metadata.levels.push_back({{width, height}, downsample});
    }

    const char* const* names = openslide_get_property_names(osr);
    check();
    for (; names != nullptr && *names != nullptr; ++names) {
        const char* value = openslide_get_property_value(osr, *names);
        check();
        metadata.properties.emplace_back(*names, value != nullptr ? value : "");
    }
    metadata.channelNames = {"R", "G", "B"};
    metadata.micronsPerPixel =
        parsePositive(openslide_get_property_value(osr, OPENSLIDE_PROPERTY_NAME_MPP_X));
    check();
    if (const char* colour =
            openslide_get_property_value(osr, OPENSLIDE_PROPERTY_NAME_BACKGROUND_COLOR)) {
        background = parseHexColour(colour).value_or(background);
    }
    check();

    const char* const* associated = openslide_get_associated_image_names(osr);
    check();
    for (; associated != nullptr && *associated != nullptr; ++associated)
        metadata.associatedImages.emplace_back(*associated);
}

void OpenSlideSource::Impl::readLevel(int level, const Rect& region, ImageView out) const {
    if (level < 0 || level >= static_cast<int>(metadata.levels.size())) {
        throw InvalidArgument(path + ": level " + std::to_string(level) +
                              " does not exist (the slide has " +
                              std::to_string(metadata.levels.size()) + " levels)");
    }
    const SourceLevel& l = metadata.levels[static_cast<std::size_t>(level)];
    if (region.width < 0 || region.height < 0 || !rectOf(l.size).contains(region)) {
        throw InvalidArgument(path + ": region " + rectText(region) + " is outside the " +
                              std::to_string(l.size.width) + "x" + std::to_string(l.size.height) +
                              " level " + std::to_string(level));
    }
    if (out.info() != ImageInfo{region.size(), 3, DType::U8}) {
        throw InvalidArgument(path + ": the pixel view must be " + std::to_string(region.width) +
                              "x" + std::to_string(region.height) + " with 3 channels of u8");
    }
    for (std::int64_t py = 0; py < region.height; py += kPieceSide) {
        for (std::int64_t px = 0; px < region.width; px += kPieceSide) {
            const Rect piece{px, py, std::min(kPieceSide, region.width - px),
                             std::min(kPieceSide, region.height - py)};
            const auto x0 = std::llround(static_cast<double>(region.x + px) * l.downsample);
            const auto y0 = std::llround(static_cast<double>(region.y + py) * l.downsample);
            std::uint32_t* argb = scratch(static_cast<std::size_t>(piece.area()));
            tiffError().clear();
            openslide_read_region(osr, argb, x0, y0, level, piece.width, piece.height);
            check();
            compositePremultipliedArgb(argb, piece.width, piece.height, piece.width, background,
                                       out.region(piece));
        }
    }
}

OpenSlideSource::OpenSlideSource(const std::string& path) : impl_(std::make_unique<Impl>(path)) {
    impl_->open();
}

OpenSlideSource::~OpenSlideSource() = default;

std::optional<std::string> OpenSlideSource::detectVendor(const std::string& path) {
    // OpenSlide probes TIFF-based files through libtiff's process-wide handlers.
    installProcessWideTiffHandlers();
    const char* vendor = openslide_detect_vendor(path.c_str());
    if (vendor == nullptr)
        return std::nullopt;
    return std::string(vendor);
}

bool OpenSlideSource::canOpen(const std::string& path) {
    const std::optional<std::string> vendor = detectVendor(path);
    if (!vendor)
        return false;
    if (*vendor != "generic-tiff")
        return true;
    if (!isEightBitRgbTiff(path))
        return false;
    openslide_t* osr = openslide_open(path.c_str());
    if (osr == nullptr)
        return false;
    const bool healthy = openslide_get_error(osr) == nullptr;
    openslide_close(osr);
    return healthy;
}

const std::string& OpenSlideSource::path() const {
    return impl_->path;
}

const std::string& OpenSlideSource::vendor() const {
    return impl_->vendor;
}

std::array<std::uint8_t, 3> OpenSlideSource::background() const {
    return impl_->background;
}

ImageInfo OpenSlideSource::info() const {
    return {impl_->metadata.levels.front().size, 3, DType::U8};
}

void OpenSlideSource::read(const Rect& region, ImageView out) const {
    impl_->readLevel(0, region, out);
}

SourceMetadata OpenSlideSource::metadata() const {
    return impl_->metadata;
}

void OpenSlideSource::readLevel(int level, const Rect& region, ImageView out) const {
    impl_->readLevel(level, region, out);
}

Image OpenSlideSource::readAssociated(const std::string& name) const {
    const std::vector<std::string>& names = impl_->metadata.associatedImages;
    if (std::find(names.begin(), names.end(), name) == names.end()) {
        std::string known;
        for (const std::string& n : names)
            known += (known.empty() ? "" : ", ") + n;
        throw InvalidArgument(impl_->path + ": no associated image '" + name + "' (the slide has " +
                              (known.empty() ? std::string("none") : known) + ")");
    }
    std::int64_t width = -1;
    std::int64_t height = -1;
    openslide_get_associated_image_dimensions(impl_->osr, name.c_str(), &width, &height);
    impl_->check();
    if (width <= 0 || height <= 0) {
        impl_->fail("associated image '" + name + "' claims an invalid size " +
                    std::to_string(width) + "x" + std::to_string(height));
    }
    const std::string what = impl_->path + ": associated image '" + name + "'";
    impl_->limits.checkPixels(what, width, height);
    // The ARGB pixels OpenSlide fills and the RGB image made from them: 7 bytes a pixel.
    std::int64_t bytes = 0;
    if (__builtin_mul_overflow(width * height, 7, &bytes))
        bytes = std::numeric_limits<std::int64_t>::max();
    impl_->limits.checkMemory(what, bytes);
    std::vector<std::uint32_t> argb(static_cast<std::size_t>(width * height));
    tiffError().clear();
    openslide_read_associated_image(impl_->osr, name.c_str(), argb.data());
    impl_->check();
    Image image(DType::U8, 3, width, height);
    compositePremultipliedArgb(argb.data(), width, height, width, impl_->background, image);
    return image;
}

void compositePremultipliedArgb(const std::uint32_t* argb, std::int64_t width, std::int64_t height,
                                std::int64_t argbStride, std::array<std::uint8_t, 3> background,
                                ImageView out) {
    if (out.info() != ImageInfo{{width, height}, 3, DType::U8}) {
        throw InvalidArgument("compositePremultipliedArgb: the output view must be " +
                              std::to_string(width) + "x" + std::to_string(height) +
                              " with 3 channels of u8");
    }
    // What the background contributes behind a pixel of alpha a: round((255 - a) * bg / 255).
    std::array<std::array<std::uint8_t, 256>, 3> behind{};
    for (std::size_t c = 0; c < 3; ++c) {
        for (unsigned a = 0; a < 256; ++a)
            behind[c][a] = static_cast<std::uint8_t>(((255 - a) * background[c] + 127) / 255);
    }
    for (std::int64_t y = 0; y < height; ++y) {
        const std::uint32_t* in = argb + y * argbStride;
        std::uint8_t* r = out.row<std::uint8_t>(0, y);
        std::uint8_t* g = out.row<std::uint8_t>(1, y);
        std::uint8_t* b = out.row<std::uint8_t>(2, y);
        for (std::int64_t x = 0; x < width; ++x) {
            const std::uint32_t p = in[x];
            const std::uint32_t a = p >> 24;
            r[x] = static_cast<std::uint8_t>(std::min(255u, ((p >> 16) & 0xffu) + behind[0][a]));
            g[x] = static_cast<std::uint8_t>(std::min(255u, ((p >> 8) & 0xffu) + behind[1][a]));
            b[x] = static_cast<std::uint8_t>(std::min(255u, (p & 0xffu) + behind[2][a]));
        }
    }
}

}  // namespace tileflow
