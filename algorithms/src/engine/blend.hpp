// Internal: feathered reconstruction of overlapping tile results.
#pragma once

#include <vector>

#include "tileflow/grid.hpp"
#include "tileflow/image.hpp"

namespace tileflow::detail {

// Feathering weights along one axis for a halo spanning [h0, h1) of an image of length n:
// a linear ramp over 2 * overlap pixels from every halo edge that lies inside the image, 1
// elsewhere. Where neither halo is clipped, the ramps of two neighbouring tiles add up to 1;
// blendInto() normalises by the weight sum, so clipped ones at the border blend smoothly too.
std::vector<float> rampWeights(std::int64_t h0, std::int64_t h1, std::int64_t n,
                               std::int64_t overlap);

// Writes into `out` (the pixels of `core`) the weighted average of the tiles' results
// (`results[i]` holds the pixels of tiles[i].halo). Every pixel sums its tiles in tile index
// order, so the result depends neither on scheduling nor on how the image was chunked.
void blendInto(const std::vector<Tile>& tiles, const std::vector<ConstImageView>& results,
               Size image, std::int64_t overlap, const Rect& core, ImageView out, int threads);

}  // namespace tileflow::detail
