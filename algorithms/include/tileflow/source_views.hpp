/// @file
/// Sources that present part of another source: one pyramid level, one region, or some
/// channels. They compose (a region of a level, channels of that region...) and are how a
/// run processes "level 2, this rectangle, channels 0 and 3" without the engine knowing.
///
/// Each view borrows the source it is given, which must outlive it, and is as thread-safe as
/// that source. Coordinates: a LevelSource's pixels are the level's pixels; a RegionSource's
/// pixel (0, 0) is the region's top-left corner. Construction validates the level, region
/// and channels and throws tileflow::InvalidArgument naming what is out of range.
#pragma once

#include <vector>

#include "tileflow/source.hpp"

namespace tileflow {

/// One pyramid level of a source, as a source whose level 0 is that level. Its metadata
/// lists the coarser levels after it, downsamples and pixel size relative to it.
class LevelSource final : public Source {
public:
    /// Level `level` of `source` (borrowed).
    LevelSource(const Source& source, int level);
    ImageInfo info() const override { return info_; }
    void read(const Rect& region, ImageView out) const override;
    /// Level `level` of this view is level `level` below the chosen one in the source.
    void readLevel(int level, const Rect& region, ImageView out) const override;
    SourceMetadata metadata() const override;

private:
    const Source& source_;
    int level_;
    ImageInfo info_;
    SourceMetadata metadata_;
};

/// A rectangle of a source's level 0, as a source of one level and no associated images.
class RegionSource final : public Source {
public:
    /// `region` (level-0 pixels of `source`, borrowed) must be non-empty and inside the image.
    RegionSource(const Source& source, const Rect& region);
    ImageInfo info() const override { return info_; }
    void read(const Rect& region, ImageView out) const override;
    SourceMetadata metadata() const override;

private:
    const Source& source_;
    Rect region_;
    ImageInfo info_;
};

/// Channels of the source in the given order (repeats allowed).
class ChannelSource final : public Source {
public:
    /// `channels` of `source` (borrowed): at least one, each an index of the source's.
    ChannelSource(const Source& source, std::vector<int> channels);
    ImageInfo info() const override { return info_; }
    void read(const Rect& region, ImageView out) const override;
    /// The selected channels of the source's level `level`.
    void readLevel(int level, const Rect& region, ImageView out) const override;
    SourceMetadata metadata() const override;

private:
    const Source& source_;
    std::vector<int> channels_;
    ImageInfo info_;
};

}  // namespace tileflow
