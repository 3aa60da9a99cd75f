// The part of a source an export processes: one pyramid level, optionally cut to a region
// the user gave in level-0 pixels.
//
// The region is clipped to the image, then converted to the level's pixels by dividing by
// the level's downsample and rounding outward (top-left down, bottom-right up), clipped to
// the level. The result is LevelSource then RegionSource (source_views.hpp) over the level's
// pixels, exactly what `tileflow process IN OUT --level N --region x,y,w,h` builds with
// x,y,w,h = levelRegion(...); so its metadata, and with it the output's pixel size (the
// source's µm/px times the level's downsample), are the CLI's too.
//
// Thread-safety: the returned source is as thread-safe as `source`, which it shares.
// Errors: tileflow::InvalidArgument for a level the source does not have, a derived level (a
// host's preview, SourceLevel::derived: the CLI could not read it) or a region that lies
// wholly outside the image, with a message fit for the user.
#pragma once

#include <QRect>
#include <memory>
#include <optional>

#include "tileflow/source.hpp"

namespace tileflow::plugin {

// `level0Region` (inside the image) in the pixels of `level`, rounded outward.
Rect levelRegion(const QRect& level0Region, const SourceLevel& level);

std::shared_ptr<const Source> exportedPart(std::shared_ptr<const Source> source, int level,
                                           const std::optional<QRect>& level0Region);

}  // namespace tileflow::plugin
