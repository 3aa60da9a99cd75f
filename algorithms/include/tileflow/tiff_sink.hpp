/// @file
/// A sink that writes a tiled, pyramidal BigTIFF while the engine streams.
///
/// Layout (BigTIFF, little-endian, one top-level directory per pyramid level):
///   - u8 with 3 channels: PHOTOMETRIC_RGB, PLANARCONFIG_CONTIG (JPEG: YCbCr 2x2 subsampled,
///     decoded to RGB by readers). This is the layout OpenSlide 3.4.1 opens as "generic-tiff".
///   - anything else (u8, i8, u16, i16, u32, f32; any channel count): PHOTOMETRIC_MINISBLACK,
///     PLANARCONFIG_SEPARATE (one plane per channel, channels after the first declared as
///     unspecified ExtraSamples) and SAMPLEFORMAT set, so tifffile reads a page as (C, H, W),
///     or (H, W) for one channel. A single channel is marked contiguous, the same layout,
///     because some readers (libvips) refuse tiled separate planes.
///   - Level 0 is the first directory (NewSubfileType 0); each reduced level follows as a
///     further top-level directory marked FILETYPE_REDUCEDIMAGE. OpenSlide reads these as its
///     levels and tifffile as series[0].levels. SubIFDs are not used: OpenSlide 3.4.1 ignores
///     them.
///   - Tiles are square (TiffSinkOptions::tileSize, a multiple of 16); tiles past the image
///     edge are padded with zeros.
///   - Level n+1 is the 2x2 mean of level n (odd edges: the last row/column is repeated, i.e.
///     the mean of the pixels that exist). Integers round half up (floor((sum + 2) / 4));
///     f32 takes the plain mean. Level sizes are ceil(previous / 2).
///   - OpenSlide and small levels: OpenSlide 3.4.1 on Debian 12's libtiff 4.5.0 misreads a
///     non-JPEG level that is smaller than one tile in either direction (libtiff's
///     TIFFReadRGBATile shrinks its raster and OpenSlide returns garbage or transparent
///     pixels). The automatic level count therefore stops at the last level that still
///     holds a whole tile each way; an image whose level 0 is smaller than a tile is only
///     OpenSlide-readable with JPEG (or a smaller tile size).
///   - Pixel size: XResolution/YResolution = 10000 / micronsPerPixel per centimetre. Level 0
///     carries a plain-text ImageDescription ("TileFlow pyramidal TIFF", the pixel size and
///     the channel names, one "channel N: name" line each); it is not OME-XML, so readers
///     that want channel names must parse this text.
///
/// Streaming and memory: write() may deliver any disjoint regions (the engine sends chunk
/// cores in row-major order). Tiles of level 0 that one write() covers whole are encoded
/// straight from the caller's pixels; the others are gathered in partial tiles until all
/// their pixels have arrived, and so are the reduced levels (each finished tile's 2x2 mean
/// goes into the next level's partial tile). With chunks aligned to the tile grid nothing
/// is gathered at level 0; otherwise the partial tiles cover about one row of tiles plus one
/// chunk. Finished tiles are compressed in batches of about 32 MiB, at least two per thread
/// (OpenMP; deflate through libdeflate and zstd through libzstd, called directly), and
/// written in order. Memory is therefore O(batch + (image width + chunk) x tile size in the
/// unaligned case), independent of the image height. Level 0's tiles go straight into the
/// output through libtiff, which is asked to start writing them back to disk every 32 MiB
/// so the final fsync is short; the reduced levels' encoded tiles go to a scratch file and
/// are copied behind level 0 in commit(), because libtiff writes one directory at a time.
/// JPEG is encoded by libtiff on the writing thread.
///
/// Atomicity: the output is written to `<path>.tmp-<pid>-<random>` (and the reduced levels to
/// `<that>.levels`) next to `<path>`; commit() flushes the file to disk (fsync) and renames it
/// onto `<path>`. Until then an existing file at `<path>` is untouched; abort() (and destroying an
/// uncommitted sink) deletes the temporaries.
///
/// Thread-safety: one thread drives a sink at a time, as the Sink contract says.
///
/// Errors: failures to create, write, flush or rename throw tileflow::IoError naming the file;
/// libtiff's messages are captured per handle (never printed) and included. Options the
/// layout cannot carry (JPEG for anything but u8 RGB, bad tile size or level count), regions
/// outside the image, views of the wrong shape, calls out of order and a commit() before every
/// pixel was written throw tileflow::InvalidArgument.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tileflow/image.hpp"
#include "tileflow/source.hpp"

namespace tileflow {

/// How TiffSink compresses tiles.
enum class TiffCompression {
    None,     ///< uncompressed
    Deflate,  ///< zlib-compatible deflate (libdeflate), any dtype
    Zstd,     ///< zstd, any dtype
    Jpeg      ///< lossy JPEG (YCbCr), u8 RGB only
};

/// The compression's name: "none", "deflate", "zstd", "jpeg".
std::string_view tiffCompressionName(TiffCompression compression);
/// The compression of a name tiffCompressionName() gives; nullopt for any other text.
std::optional<TiffCompression> parseTiffCompression(std::string_view name);

/// How TiffSink lays out the file.
struct TiffSinkOptions {
    std::int64_t tileSize = 512;  ///< TIFF tile width and height; a multiple of 16
    /// Codec of the tiles of every level.
    TiffCompression compression = TiffCompression::Deflate;
    int jpegQuality = 90;  ///< 1..100
    int deflateLevel = 6;  ///< 1..12 (libdeflate's levels; 6 is zlib's default)
    int zstdLevel = 3;     ///< 1..19 (3 is zstd's own default)
    /// Number of levels including level 0. 0: keep halving while the next level's smaller side
    /// is still at least tileSize (see "OpenSlide and small levels" above).
    int levels = 0;
    std::optional<double> micronsPerPixel;  ///< level-0 pixel size
    std::vector<std::string> channelNames;  ///< empty, or one per channel
    int threads = 0;                        ///< compression threads; 0: OpenMP's default
};

/// The number of levels `options.levels` gives for an image of `size` (at least 1).
int tiffLevelCount(Size size, const TiffSinkOptions& options);

/// Writes a pyramidal tiled BigTIFF atomically; see the file description.
class TiffSink final : public Sink {
public:
    /// Will write `path`; nothing is created before begin(), which checks the options.
    explicit TiffSink(std::string path, TiffSinkOptions options = {});
    ~TiffSink() override;  ///< aborts when not committed
    TiffSink(const TiffSink&) = delete;
    TiffSink& operator=(const TiffSink&) = delete;

    /// Validates the options against `info` and creates the temporaries. A sink that was
    /// begun and not committed is aborted first.
    void begin(const ImageInfo& info) override;
    void write(const Rect& region, ConstImageView pixels) override;
    /// Writes the reduced levels' directories, flushes to disk and renames into place.
    void commit() override;
    void abort() noexcept override;

    /// The final path, as given to the constructor.
    const std::string& path() const { return path_; }

private:
    struct State;
    std::string path_;
    TiffSinkOptions options_;
    std::unique_ptr<State> state_;
};

}  // namespace tileflow
