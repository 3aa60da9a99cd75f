/// @file
/// TIFF files read through libtiff: everything OpenSlide cannot read.
///
/// Layouts: tiled or stripped; PlanarConfiguration contiguous or separate; samples of
/// 8, 16 or 32 bits as u8/i8, u16/i16, u32 and f32 (SampleFormat uint, int, ieeefp; any other
/// combination is refused). Every compression libtiff decodes (none, LZW, Deflate, zstd,
/// JPEG, with horizontal or floating-point predictors). Old-style JPEG and subsampled YCbCr
/// are decoded through libtiff's RGBA interface into u8 RGB (RGBA when the file has an extra
/// sample); new-style JPEG in YCbCr is converted to RGB by libtiff.
///
/// Channels: the samples of a pixel are channels. A file of several top-level pages that all
/// have the size, sample layout and dtype of the first page (and are not marked as reduced
/// resolution or as a mask) is read as one image whose channels are the pages' samples, in page
/// order; pages that differ from the first are ignored.
///
/// OME-TIFF (OME-XML in the first page's ImageDescription): the image is the first OME Image;
/// its channels are the C planes of the first Z and T plane (Z = 0, T = 0), located from
/// SizeC/SizeZ/SizeT and DimensionOrder; other Z and T planes are not exposed. Channel names
/// come from the Channel Name attributes, the pixel size from PhysicalSizeX and its unit.
///
/// Pyramids: levels are the SubIFDs of the channel pages (as tifffile and bfconvert write
/// them) or, when there are none, the top-level pages marked reduced resolution
/// (NewSubfileType bit 0) that have one page per channel page. A candidate level must have the
/// channels and dtype of level 0 and its aspect ratio (so label or macro pages are not levels).
/// Levels are sorted from the largest; level 0 is the full-resolution image and
/// info()/read() describe it. A level's downsample is the mean of its width and height ratios.
///
/// Metadata: format "ome-tiff" or "tiff"; channel names from OME, "R", "G", "B" ("A") for a
/// single RGB page, otherwise "C0", "C1", ...; properties tiff.ImageDescription, tiff.Software,
/// tiff.Compression, tiff.Layout, tiff.PlanarConfiguration, tiff.Pages (of the first page)
/// and, for OME, ome.SizeC/SizeZ/SizeT/DimensionOrder. No associated images.
///
/// Coordinates: pixels of the level being read, (0, 0) top left; regions are half-open
/// (geometry.hpp). micronsPerPixel is the level-0 pixel width in µm, from OME PhysicalSizeX
/// or from XResolution with ResolutionUnit inch or centimetre.
///
/// Memory: decoded tiles (for stripped files, strips) are kept in a byte-bounded TileCache of
/// `cacheBytes`, keyed by (directory, tile). Uncompressed strips are never read whole: they are
/// read as bands of full-width rows of at most 4 MiB, each band's rows read straight from the
/// file (pread on a descriptor the source keeps open, samples byte-swapped for big-endian files)
/// and cached like a tile, so a strip of any size is read only where a region needs it. Sizes
/// are validated against the ResourceLimits in force when the source is opened (limits.hpp)
/// before anything is allocated: a level's pixels against maxPixels, the image's channels
/// against maxChannels, one decoded tile, compressed strip or band against maxTileBytes and
/// maxMemoryBytes; libtiff's own allocations are capped at min(4 x maxTileBytes,
/// maxMemoryBytes).
///
/// Thread-safety: read() and readLevel() may be called concurrently. A libtiff handle is not
/// thread-safe, so the source keeps a pool of handles, one per concurrent reader, opened on
/// demand. Handles open the file in mode "rmO": without memory mapping, so that every read
/// error reaches the reader (libtiff 4.5 hides some in mapped mode), and with tile offsets
/// loaded on demand, so a directory claiming millions of tiles costs nothing until read and
/// switching a handle between pages does not reload whole offset arrays.
///
/// Errors: libtiff's errors and warnings are captured per handle and never printed. Any
/// failure (missing or unreadable file, not a TIFF, malformed directory, unsupported layout, a
/// tile that cannot be read or decoded, rows of an uncompressed strip that lie outside the
/// strip's byte count or past the end of the file) throws tileflow::IoError
/// `"<file>: <what is wrong>"`, sizes over the limits its subclass LimitError; a tile that fails to
/// decode fails the read, it is never filled with zeros (a libtiff warning raised while a tile
/// decodes, such as libjpeg's notice of corrupt data, counts as a failure). Regions outside the
/// level and views of the wrong shape throw InvalidArgument.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "tileflow/source.hpp"

namespace tileflow {

/// A TIFF file read through libtiff; see the file description.
class TiffSource final : public Source {
public:
    /// Opens `path` and reads its structure; pixels are read on demand. Decoded tiles are
    /// cached up to `cacheBytes`.
    explicit TiffSource(const std::string& path, std::int64_t cacheBytes = std::int64_t{64} << 20);
    ~TiffSource() override;
    TiffSource(const TiffSource&) = delete;
    TiffSource& operator=(const TiffSource&) = delete;

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

}  // namespace tileflow
