// Display ranges from the pixels themselves: the "Auto" of the channel panel.
//
// percentileRanges() gives, for each channel of `pixels`, the range [low, high] between its
// `lowFraction` and `highFraction` percentiles (e.g. 0.001 and 0.999). The percentile p of N
// values is the value of rank max(1, ceil(p N)) counted from the smallest; it is read off a
// histogram of kHistogramBins bins spanning the channel's [min, max]: the low edge of the bin
// where the cumulative count reaches that rank. Integer channels whose span is below
// kHistogramBins have one bin per value, so their percentiles are exact. NaNs are ignored;
// a channel with no other value gets its dtype's default range.
//
// coarsestLevelRanges() does that over the coarsest level of the source's DisplayPyramid (one
// display tile, as views show it), reading it on Qt's global thread pool, never on the
// caller's thread.
//
// Thread-safety: percentileRanges() is a pure function. Errors: the future rethrows what
// the source throws.
#pragma once

#include <QFuture>
#include <memory>
#include <vector>

#include "gui/display_pyramid.hpp"
#include "tileflow/plugin/display_mapping.hpp"

namespace tileflow::gui {

inline constexpr int kHistogramBins = 65536;

std::vector<plugin::DisplayRange> percentileRanges(ConstImageView pixels, double lowFraction,
                                                   double highFraction);

QFuture<std::vector<plugin::DisplayRange>> coarsestLevelRanges(std::shared_ptr<const Source> source,
                                                               double lowFraction,
                                                               double highFraction);

}  // namespace tileflow::gui
