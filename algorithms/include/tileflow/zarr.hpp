/// @file
/// Zarr v2 directory stores and OME-Zarr (NGFF 0.4) multiscale images, read and written.
///
/// Reading (ZarrSource): `path` is either a zarr array (a folder with .zarray) or an OME-Zarr
/// group (a folder whose .zattrs holds "multiscales"; version 0.4, and older versions whose
/// axes are plain names or absent). For a group, each dataset of the first multiscale is a
/// level; level downsamples come from the "scale" transformations of the x axis (or from the
/// level sizes when there are none); the level-0 pixel size is reported in µm when the x axis
/// has a unit of micrometer (nanometer and millimeter are converted); "omero" channel labels
/// name the channels.
///   Axes: the last two dimensions are y and x. With NGFF axes, the axis of type "channel" (or
///   named "c") holds the channels; every other axis (t, z) is read at index 0. Without axes
///   metadata: (y, x); (c, y, x); (c, z, y, x); (t, c, z, y, x).
///   Arrays: zarr_format 2, dtype `|u1` `|i1` `<u2` `<i2` `<u4` `<f4` (big-endian and other dtypes
///   are refused), order "C", no filters, compressor null, zlib, gzip, zstd or blosc (any inner
///   codec this blosc has; shuffle is read from each chunk), dimension_separator "." or "/".
///   Edge chunks are stored full size, as zarr writes them. A missing chunk file reads as the
///   fill_value (null reads as 0).
///   Chunks are decoded once and kept in a byte-bounded TileCache (only their t=0, z=0 planes).
///
/// Writing (OmeZarrSink): an NGFF 0.4 group with arrays "0", "1", ... of shape (c, y, x),
/// chunks (1, chunk, chunk), dimension_separator "/", axes c (channel), y and x (space, unit
/// micrometer when the pixel size is known), a scale transformation per level (2^level times
/// the pixel size, or times 1 when it is unknown) and "omero" channel labels. Level k+1 is the
/// 2x2 mean of level k (integers rounded half up, f32 exact mean; a last odd row or column
/// averages the pixels it has), so level k+1 is ceil(size_k / 2).
///   Streaming: level-0 chunks are assembled in memory as regions arrive and written (and
///   downsampled into the next level) as soon as they are complete. Regions are chunk-aligned
///   only by chance, so partly covered chunks wait in memory: for regions delivered row by
///   row that is about one row of chunks for level 0 (the region height rounded up to whole
///   chunks, times the image width, channels and sample size; e.g. 512 x 65536 x 4 bytes =
///   128 MiB for one f32 channel) and as much again for all smaller levels together (each
///   holds one row of its own chunks, half as wide as the level above). The whole image is
///   never held.
///   Atomicity: everything is written into `<path>.tmp-<pid>-<random>` next to `path`. commit()
///   writes the metadata, flushes the file system (syncfs) and renames the folder onto `path`.
///   An existing zarr store at `path` (a folder with .zgroup or .zarray) is replaced only
///   then, by swapping the two folders in one step (renameat2 RENAME_EXCHANGE; where the file
///   system lacks it, the old store is renamed aside first), and the old one is deleted. Any
///   other existing file or folder at `path` is never touched: begin() refuses it. abort(),
///   or destroying an uncommitted sink, deletes the temporary tree.
///
/// Thread-safety: ZarrSource::read() and readLevel() may be called concurrently (each read
/// opens the chunk files it needs). An OmeZarrSink is driven by one thread at a time, as the
/// Sink contract says; it compresses the chunks completed by one write() on several threads.
///
/// Errors: tileflow::IoError naming the store and the problem: malformed or unsupported
/// metadata (validated before anything is allocated: positive shapes and chunks, no
/// overflow, chunks within ResourceLimits (limits.hpp), at most 1 PiB per array), unreadable
/// files, and corrupt chunks (invalid compressed data or a decoded size other than the chunk
/// size: never read as zeros). Regions outside a level, views of the wrong shape, unknown levels
/// and sink calls out of order throw tileflow::InvalidArgument; a commit() before every pixel was
/// written (or whose writing fails) throws IoError after aborting.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tileflow/image.hpp"
#include "tileflow/source.hpp"

namespace tileflow {

/// A zarr array or OME-Zarr multiscale group, read chunk by chunk; see the file description.
class ZarrSource final : public Source {
public:
    /// Opens and validates the metadata of every level; chunks are read on demand and kept in a
    /// decoded-chunk cache of `cacheBytes`.
    explicit ZarrSource(std::string path, std::int64_t cacheBytes = std::int64_t{64} << 20);
    ~ZarrSource() override;
    ZarrSource(const ZarrSource&) = delete;
    ZarrSource& operator=(const ZarrSource&) = delete;

    ImageInfo info() const override;
    void read(const Rect& region, ImageView out) const override;
    SourceMetadata metadata() const override;
    void readLevel(int level, const Rect& region, ImageView out) const override;

    /// As given to the constructor.
    const std::string& path() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// The compressor of the chunks OmeZarrSink writes.
enum class ZarrCompression {
    None,      ///< compressor null
    Zlib,      ///< zlib, level 1
    Zstd,      ///< zstd, level 3
    BloscLz4,  ///< blosc with lz4, level 5
    BloscZstd  ///< blosc with zstd, level 2
};

/// How OmeZarrSink lays out the store.
struct OmeZarrOptions {
    std::int64_t chunk = 512;  ///< chunk side in pixels; even, 16 to 8192
    /// Blosc compresses with byte shuffle.
    ZarrCompression compression = ZarrCompression::BloscZstd;
    int levels = 0;                         ///< 0: halve until the smaller side is at most `chunk`
    std::vector<std::string> channelNames;  ///< empty: "C0", "C1", ...
    std::optional<double> micronsPerPixel;  ///< level-0 pixel size
};

/// Writes an OME-Zarr store atomically; see the file description.
class OmeZarrSink final : public Sink {
public:
    /// Will write `path`; nothing is created before begin(), which checks the options.
    explicit OmeZarrSink(std::string path, OmeZarrOptions options = {});
    ~OmeZarrSink() override;  ///< aborts when not committed
    OmeZarrSink(const OmeZarrSink&) = delete;
    OmeZarrSink& operator=(const OmeZarrSink&) = delete;

    /// Validates the options against `info` and creates the temporary store. A sink that was
    /// begun and not committed is aborted first.
    void begin(const ImageInfo& info) override;
    void write(const Rect& region, ConstImageView pixels) override;
    void commit() override;
    void abort() noexcept override;

    /// The final path, as given to the constructor.
    const std::string& path() const { return path_; }
    /// Level sizes of the store being written (valid after begin(); empty before).
    std::vector<Size> levelSizes() const;

private:
    struct State;
    std::string path_;
    OmeZarrOptions options_;
    std::unique_ptr<State> state_;
};

}  // namespace tileflow
