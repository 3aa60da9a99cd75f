// DisplaySource: a source as the viewer shows it, with the reduced levels of its
// DisplayPyramid (display_pyramid.hpp) as levels of its own.
//
// A file without a pyramid has one level; a view of it at fit draws from reduced levels
// made on the fly. Hosted processing (ViewerHost) works on the levels the view draws from,
// so it is handed this source: "process the view" at fit then processes the reduced level
// the view shows, not the full-resolution pixels behind it. Levels, sizes and downsamples
// are the pyramid's (the reduced ones marked SourceLevel::derived); level 0, info(), the pixel
// size, channel names, properties and associated images are the wrapped source's. Reduced levels
// average up to 4 x 4 blocks and take one pixel per block beyond (display_pyramid.hpp), so
// processing them is a preview.
//
// Thread-safety: immutable; reads are as thread-safe as the wrapped source's.
// Ownership: shares the wrapped source. Errors: a level or region outside the image throws
// tileflow::InvalidArgument; reads throw what the wrapped source throws.
#pragma once

#include <memory>

#include "gui/display_pyramid.hpp"

namespace tileflow::gui {

class DisplaySource final : public Source {
public:
    explicit DisplaySource(std::shared_ptr<const Source> source);

    ImageInfo info() const override { return source_->info(); }
    void read(const Rect& region, ImageView out) const override;
    SourceMetadata metadata() const override { return metadata_; }
    void readLevel(int level, const Rect& region, ImageView out) const override;
    Image readAssociated(const std::string& name) const override;

private:
    std::shared_ptr<const Source> source_;
    DisplayPyramid pyramid_;
    SourceMetadata metadata_;
};

}  // namespace tileflow::gui
