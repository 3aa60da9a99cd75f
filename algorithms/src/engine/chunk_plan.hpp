// Internal: how a run cuts the image into chunks of whole tiles, and which tiles and input
// pixels each chunk needs.
#pragma once

#include <cstdint>
#include <vector>

#include "tileflow/grid.hpp"

namespace tileflow::detail {

// A block of whole tiles: tile columns [col0, col1) and rows [row0, row1); `core` is the
// union of their cores.
struct Chunk {
    std::int64_t col0 = 0, col1 = 0, row0 = 0, row1 = 0;
    Rect core;
};

class ChunkPlan {
public:
    // `chunk` is rounded up to whole tiles. In blend mode a chunk also computes the
    // neighbouring tiles whose halos reach into it.
    ChunkPlan(const Grid& grid, Size chunk, bool blend);

    const Grid& grid() const { return grid_; }
    std::int64_t count() const { return cols_ * rows_; }
    Chunk chunk(std::int64_t k) const;

    // The chunk's own tiles, in index order.
    std::vector<Tile> ownTiles(const Chunk& c) const;
    // The tiles whose processed pixels land in the chunk, in index order: its own tiles, and
    // in blend mode the neighbours whose halos overlap it.
    std::vector<Tile> contributingTiles(const Chunk& c) const;
    // Input pixels needed to compute the given tiles (the union of their halos).
    Rect inputRect(const std::vector<Tile>& tiles) const;

    // Upper bounds of chunk cores, chunk inputs and tile halos, to size reusable buffers.
    Size largestCore() const;
    Size largestInput() const;
    Size largestHalo() const;

private:
    Grid grid_;
    bool blend_;
    std::int64_t tilesX_ = 1, tilesY_ = 1, cols_ = 1, rows_ = 1;
};

}  // namespace tileflow::detail
