/// @file
/// A tileflow::Source over a host's own region reader.
///
/// Hosts that hold their image in their own reader (not a file TileFlow opens) wrap it in a
/// CallbackSource and hand that to TileFlow. The callback fills `out` (the size of `region`,
/// all channels, the source's dtype) with the pixels of `region`, in the pixel coordinates
/// of `level`.
///
/// Thread-safety: the engine reads from several threads at once, so the callback must be
/// thread-safe. Errors: the callback throws (preferably tileflow::IoError) when it cannot
/// read; levels the source does not have throw tileflow::InvalidArgument before the
/// callback is called.
#pragma once

#include <functional>
#include <vector>

#include "tileflow/source.hpp"

namespace tileflow::plugin {

/// A source whose pixels come from a host's callback; see the file description.
class CallbackSource final : public Source {
public:
    /// Fills `out` with `region` of `level`; called from several threads at once.
    using ReadRegion = std::function<void(int level, const Rect& region, ImageView out)>;

    /// `levels`: level 0 first, level 0's size equal to info.size; empty means level 0 only.
    CallbackSource(ImageInfo info, ReadRegion read, std::vector<SourceLevel> levels = {});

    ImageInfo info() const override { return info_; }
    void read(const Rect& region, ImageView out) const override;
    SourceMetadata metadata() const override;
    void readLevel(int level, const Rect& region, ImageView out) const override;

private:
    ImageInfo info_;
    ReadRegion read_;
    std::vector<SourceLevel> levels_;
};

}  // namespace tileflow::plugin
