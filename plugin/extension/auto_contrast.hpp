// Auto contrast for result layers: the display range a layer's tiles are shown with, taken
// from the first result tile it receives at a level (for Run view the one nearest the view's
// centre; for Run whole image the first the engine finishes, at the top left, unless a view
// run at that level chose the range already).
//
// Results come in the operation's own units: a Sobel of a 16-bit image reaches hundreds of
// thousands, which the default f32 range 0..1 would show as white. autoContrast() maps each
// shown channel (0, 1 and 2 of a 3-channel result, else channel 0) from its 0.1 to 99.9
// percentile, NaN and infinities ignored; u8 results (masks, labels) keep their full range. One
// range per layer, fixed once chosen, so that tiles agree at their seams.
//
// Thread-safety: a pure function. Errors: none; a channel without finite values keeps the
// default range.
#pragma once

#include "tileflow/image.hpp"
#include "tileflow/plugin/display_mapping.hpp"

namespace tileflow::plugin {

inline constexpr double kAutoContrastLow = 0.001;
inline constexpr double kAutoContrastHigh = 0.999;

DisplayMapping autoContrast(ConstImageView result);

}  // namespace tileflow::plugin
