// The benchmark's yardstick: Sobel magnitude as one plain untiled 3x3 loop over the image,
// parallel over rows. It is what a careful hand-written implementation costs, without any
// tiling machinery; f32 in and out only.
#pragma once

#include "tileflow/image.hpp"

namespace tileflow::cli {

void referenceSobel(ConstImageView in, ImageView out, int threads);

}  // namespace tileflow::cli
