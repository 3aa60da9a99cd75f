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

// The tiles a chunk computes, in index order: its own block, generated on demand (a chunk
// may hold millions of tiles), or an explicit short list.
class ChunkTiles {
public:
    ChunkTiles(const Grid& grid, const Chunk& chunk);
    explicit ChunkTiles(std::vector<Tile> list);

    std::int64_t size() const { return count_; }
    Tile at(std::int64_t i) const;

private:
    const Grid* grid_ = nullptr;
    std::int64_t col0_ = 0, row0_ = 0, cols_ = 1, count_ = 0;
    std::vector<Tile> list_;
};

class ChunkPlan {
public:
    // `chunk` is rounded up to whole tiles. In blend mode a chunk also computes the
    // neighbouring tiles whose halos reach into it, over their whole halo, which needs the
    // operation's `radius` of input around each halo.
    ChunkPlan(const Grid& grid, Size chunk, bool blend, std::int64_t radius);

    const Grid& grid() const { return grid_; }
    std::int64_t count() const { return cols_ * rows_; }
    Chunk chunk(std::int64_t k) const;

    // The tiles a pass computes for chunk c: statistics passes and crop take the chunk's
    // own tiles; blend processing takes every tile whose halo overlaps the chunk.
    ChunkTiles tiles(const Chunk& c, bool processing) const;
    // The input pixels those tiles read.
    Rect inputRect(const Chunk& c, bool processing) const;
    // How many tiles the processing pass computes over all chunks.
    std::int64_t processingTileCount() const;

    // Upper bounds of chunk cores, chunk inputs and tile halos, to size reusable buffers.
    Size largestCore() const;
    Size largestInput() const;
    Size largestHalo() const;

private:
    bool blendRing() const { return blend_ && grid_.spec().overlap > 0; }
    std::vector<Tile> contributingTiles(const Chunk& c) const;

    Grid grid_;
    bool blend_;
    std::int64_t radius_;
    std::int64_t tilesX_ = 1, tilesY_ = 1, cols_ = 1, rows_ = 1;
};

}  // namespace tileflow::detail
