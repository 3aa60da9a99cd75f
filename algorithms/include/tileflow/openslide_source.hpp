/// @file
/// Vendor whole-slide formats (Aperio, Hamamatsu, MIRAX, Leica, Philips, Ventana, generic tiled
/// TIFF ...) read through OpenSlide 3.4.1.
///
/// Pixels: every level reads as 3 planar channels "R", "G", "B" of u8. OpenSlide hands out
/// premultiplied ARGB; it is composited over the slide's background colour (property
/// openslide.background-color, hex RRGGBB; white when absent or malformed) with the "over"
/// operator evaluated directly on the premultiplied samples:
/// @code
///   out = min(255, c + round((255 - a) * bg / 255))
/// @endcode
/// so opaque pixels (a = 255) keep their value, fully transparent ones (a = 0, e.g. outside
/// the scanned area) become the background, and partially transparent ones are blended.
/// This is the exact result of un-premultiplying (c * 255 / a) and then compositing, without
/// the intermediate rounding of the un-premultiplied value (which loses precision when a is
/// small); the two differ by at most 1.
///
/// Levels and coordinates: levels, sizes and downsamples are OpenSlide's. readLevel(level, r)
/// takes `r` in the pixels of `level`; OpenSlide wants the region's origin in level-0 pixels,
/// so the origin is converted as x0 = round(x * downsample), y0 = round(y * downsample) and the
/// width and height stay in level pixels. For integral downsamples (2, 4, ... as in most
/// pyramids) OpenSlide maps x0 back to exactly x; for non-integral ones (Aperio's 4.0003...,
/// or 4.016 for a 75-pixel level of a 300-pixel image) it lands within 0.5 / downsample of x
/// and OpenSlide itself interpolates, so the result is what openslide_read_region (and
/// openslide-python) return for that level-0 origin. A region is read in pieces of at most
/// kPieceSide x kPieceSide pixels, each through one openslide_read_region call with its own
/// converted origin, which bounds the ARGB scratch memory to 16 MiB per reading thread (kept per
/// thread and reused). read() and info() describe level 0.
///
/// Metadata: format is the vendor ("aperio", "generic-tiff", ...); properties are all of
/// OpenSlide's, in its order; micronsPerPixel comes from openslide.mpp-x (openslide.mpp-y is
/// in the properties); associated images are OpenSlide's (label, macro, thumbnail ...) and
/// readAssociated() returns them as u8 RGB images converted like the levels.
///
/// canOpen(): true for files OpenSlide recognises as a vendor format. For files it only
/// recognises as "generic-tiff" it is true only when OpenSlide opens them without error and
/// the first directory is 8-bit unsigned RGB (or YCbCr) with at most one extra alpha sample:
/// OpenSlide 3.4.1 also opens 16-bit, grey and many-sample tiled TIFFs but squeezes them into
/// 8-bit RGB, so those are left to the libtiff source.
///
/// Thread-safety: OpenSlide handles are thread-safe for every call except closing; read(),
/// readLevel(), readAssociated() and metadata() may be called from any number of threads at
/// once. The handle is closed in the destructor, which must not race with reads.
///
/// Errors: a missing or unrecognised file, or one OpenSlide opens in its error state, throws
/// tileflow::IoError naming the file. OpenSlide's errors are sticky per handle: after every
/// OpenSlide call the handle's error is checked, and once a call has failed (a corrupt tile,
/// say) every later read from this source throws the same
/// `IoError("<path>: <OpenSlide's message>")`, from whichever thread; cleared (black) pixels are
/// never returned as data. Regions outside the level, views of the wrong shape, unknown levels and
/// unknown associated images throw tileflow::InvalidArgument.
///
/// Nothing is printed. OpenSlide 3.4.1 drives libtiff through its process-wide handlers, which
/// print to stderr, so the first OpenSlideSource (or canOpen() that opens a file) installs
/// process-wide libtiff handlers once: warnings are dropped, and an error is kept for the
/// thread that raised it and appended to the IoError, e.g.
/// `"<path>: TIFFRGBAImageGet failed (libtiff: ZIPDecode: Decoding error at scanline 64.)"`.
/// libtiff handles opened with their own handlers (TIFFOpenExt, as TileFlow's TIFF readers and
/// writers do) are unaffected.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "tileflow/image.hpp"
#include "tileflow/source.hpp"

namespace tileflow {

/// A slide read through OpenSlide; see the file description.
class OpenSlideSource final : public Source {
public:
    /// Side of the largest square read by one openslide_read_region call.
    static constexpr std::int64_t kPieceSide = 2048;

    /// Opens `path` with OpenSlide; pixels are read on demand.
    explicit OpenSlideSource(const std::string& path);
    ~OpenSlideSource() override;
    OpenSlideSource(const OpenSlideSource&) = delete;
    OpenSlideSource& operator=(const OpenSlideSource&) = delete;

    /// OpenSlide's name for the format of `path` ("aperio", "generic-tiff", ...), or none
    /// when OpenSlide does not recognise it. Reads only the file's header.
    static std::optional<std::string> detectVendor(const std::string& path);
    /// Whether this source should read `path` (see the contract above). Never throws.
    static bool canOpen(const std::string& path);

    /// As given to the constructor.
    const std::string& path() const;
    /// OpenSlide's vendor name: "aperio", "hamamatsu", "mirax", "generic-tiff", ...
    const std::string& vendor() const;
    /// The colour transparent pixels are composited over, as R, G, B.
    std::array<std::uint8_t, 3> background() const;

    ImageInfo info() const override;
    void read(const Rect& region, ImageView out) const override;
    SourceMetadata metadata() const override;
    void readLevel(int level, const Rect& region, ImageView out) const override;
    Image readAssociated(const std::string& name) const override;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Composites `width` x `height` premultiplied ARGB pixels (one uint32 per pixel, A in the top
/// byte, rows `argbStride` pixels apart) over `background` into the 3-channel u8 view `out`,
/// with the formula above. Throws InvalidArgument when `out` is not width x height x 3 u8.
void compositePremultipliedArgb(const std::uint32_t* argb, std::int64_t width, std::int64_t height,
                                std::int64_t argbStride, std::array<std::uint8_t, 3> background,
                                ImageView out);

}  // namespace tileflow
