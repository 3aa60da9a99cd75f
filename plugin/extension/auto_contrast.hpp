// Auto contrast for result layers: the display range a layer's tiles are shown with, taken
// from the first result tile it receives (normally the one at the centre of the view).
//
// Results come in the operation's own units: a Sobel of a 16-bit image reaches hundreds of
// thousands, which the default f32 range 0..1 would show as white. autoContrast() maps each
// shown channel (0, 1 and 2 of a 3-channel result, else channel 0) from its 0.1 to 99.9
// percentile, NaN ignored; u8 results (masks, labels) keep their full range. One range per
// layer, fixed once chosen, so that tiles agree at their seams.
//
// Thread-safety: a pure function. Errors: none; an empty or all-NaN channel keeps the
// default range.
#pragma once

#include "tileflow/image.hpp"
#include "tileflow/plugin/display_mapping.hpp"

namespace tileflow::plugin {

inline constexpr double kAutoContrastLow = 0.001;
inline constexpr double kAutoContrastHigh = 0.999;

DisplayMapping autoContrast(ConstImageView result);

}  // namespace tileflow::plugin
