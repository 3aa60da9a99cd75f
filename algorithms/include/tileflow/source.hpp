/// @file
/// Where the engine reads pixels from, and where it writes them to.
///
/// Source: an image of known size, channel count and dtype whose rectangular regions can be
/// read, possibly at several resolution levels (a pyramid), with metadata. read() and
/// readLevel() are called concurrently from several threads and must be thread-safe.
/// info() and read() describe level 0, the full resolution; the engine processes that.
/// LevelSource, RegionSource and ChannelSource (source_views.hpp) present one level, one
/// region or some channels of a source as a source of their own.
///
/// Sink: receives the result. The engine calls begin() once, then write() for each finished
/// chunk (disjoint rectangles that together cover the image, one call at a time, from one
/// thread), then commit() after the last chunk, or abort() when the run fails or is
/// cancelled. A sink must make its output visible only in commit(): after abort(), nothing
/// that looks like a complete result may remain.
///
/// Coordinates are pixels of the image being processed. Sources and sinks are owned by the
/// caller; the engine only borrows them for the duration of a run. Errors are thrown as
/// tileflow::IoError (or InvalidArgument for requests outside the image).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tileflow/image.hpp"

namespace tileflow {

/// One resolution level: its size in its own pixels, and how many level-0 pixels one of its
/// pixels spans (1 for level 0, about 2, 4, ... for a 2x pyramid).
struct SourceLevel {
    Size size;              ///< in the level's own pixels
    double downsample = 1;  ///< level-0 pixels per pixel of this level
    /// True for a level the source makes on the fly from a finer one instead of reading it
    /// (a viewer's reduced levels): fine to look at, not what an export should be made from.
    bool derived = false;

    /// The pixels of this level that cover `level0`, a rectangle of level-0 pixels: its
    /// corners divided by the downsample, rounded outwards, clipped to the level. What to
    /// look at in a coarse level to judge a region of the full-resolution image. Empty for an
    /// empty `level0`; throws InvalidArgument when the downsample is not a positive number.
    Rect cover(const Rect& level0) const;
};

/// What a source knows about its image besides the pixels.
struct SourceMetadata {
    std::string format;               ///< e.g. "npy", "tiff", "ome-tiff", "aperio", "ome-zarr"
    std::vector<SourceLevel> levels;  ///< level 0 first; never empty
    std::vector<std::string> channelNames;  ///< one per channel
    std::optional<double> micronsPerPixel;  ///< level-0 pixel size, when the file states it
    std::vector<std::pair<std::string, std::string>> properties;  ///< as the format names them
    std::vector<std::string> associatedImages;                    ///< label, macro, thumbnail...
};

/// An image to read from; see the file description.
class Source {
public:
    virtual ~Source() = default;
    /// Size, channels and dtype of level 0.
    virtual ImageInfo info() const = 0;
    /// Fills `out` (size of `region`, all channels, info().dtype) with the pixels of `region`.
    /// Thread-safe. A region outside the image or a view of another shape throws
    /// InvalidArgument.
    virtual void read(const Rect& region, ImageView out) const = 0;

    /// The default describes a single level with channels named "C0", "C1", ...
    virtual SourceMetadata metadata() const;
    /// Reads `region`, in the pixel coordinates of `level`, of all channels. The default
    /// serves level 0 through read() and refuses other levels.
    virtual void readLevel(int level, const Rect& region, ImageView out) const;
    /// An associated image (label, macro, thumbnail) by name; the default has none.
    /// An unknown name throws InvalidArgument.
    virtual Image readAssociated(const std::string& name) const;
};

/// Where a run's result goes; see the file description for the order of calls.
class Sink {
public:
    virtual ~Sink() = default;
    /// Prepares for an image of `info`, before any write().
    virtual void begin(const ImageInfo& info) = 0;
    /// Receives the finished pixels of `region` (image pixels), `pixels` of its size.
    virtual void write(const Rect& region, ConstImageView pixels) = 0;
    /// Makes the output visible, complete; after the last write().
    virtual void commit() = 0;
    /// Drops everything written, leaving nothing that looks complete. Never throws.
    virtual void abort() noexcept = 0;
};

/// Reads a whole source into memory, in row bands on `threads` threads (0: OpenMP's default).
/// Meant for images that fit in memory; the first error of any band is rethrown. The image's
/// size is checked against ResourceLimits::maxMemoryBytes first (LimitError).
Image readImage(const Source& source, int threads = 0);

/// A source over pixels already in memory; the view must outlive the source.
class MemorySource final : public Source {
public:
    /// Borrows `pixels`.
    explicit MemorySource(ConstImageView pixels) : pixels_(pixels) {}
    ImageInfo info() const override { return pixels_.info(); }
    void read(const Rect& region, ImageView out) const override;
    /// The pixels it reads from.
    ConstImageView view() const { return pixels_; }

private:
    ConstImageView pixels_;
};

/// A sink that assembles the result in memory; take() hands it over after commit().
class MemorySink final : public Sink {
public:
    /// Allocates the result, after checking it against ResourceLimits::maxMemoryBytes.
    void begin(const ImageInfo& info) override;
    void write(const Rect& region, ConstImageView pixels) override;
    void commit() override { committed_ = true; }
    void abort() noexcept override;
    /// The committed result. Throws tileflow::Error when the run did not commit.
    Image take();

private:
    Image image_;
    bool committed_ = false;
};

}  // namespace tileflow
