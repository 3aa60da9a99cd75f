#include "chunk_plan.hpp"

#include <algorithm>

namespace tileflow::detail {

ChunkPlan::ChunkPlan(const Grid& grid, Size chunk, bool blend) : grid_(grid), blend_(blend) {
    const Size tile = grid.spec().tile;
    tilesX_ = std::max<std::int64_t>(1, (chunk.width + tile.width - 1) / tile.width);
    tilesY_ = std::max<std::int64_t>(1, (chunk.height + tile.height - 1) / tile.height);
    cols_ = (grid.cols() + tilesX_ - 1) / tilesX_;
    rows_ = (grid.rows() + tilesY_ - 1) / tilesY_;
}

Chunk ChunkPlan::chunk(std::int64_t k) const {
    Chunk c;
    c.col0 = (k % cols_) * tilesX_;
    c.row0 = (k / cols_) * tilesY_;
    c.col1 = std::min(grid_.cols(), c.col0 + tilesX_);
    c.row1 = std::min(grid_.rows(), c.row0 + tilesY_);
    const Rect first = grid_.tile(c.col0, c.row0).core;
    const Rect last = grid_.tile(c.col1 - 1, c.row1 - 1).core;
    c.core = {first.x, first.y, last.right() - first.x, last.bottom() - first.y};
    return c;
}

std::vector<Tile> ChunkPlan::ownTiles(const Chunk& c) const {
    std::vector<Tile> tiles;
    tiles.reserve(static_cast<std::size_t>((c.col1 - c.col0) * (c.row1 - c.row0)));
    for (std::int64_t row = c.row0; row < c.row1; ++row) {
        for (std::int64_t col = c.col0; col < c.col1; ++col)
            tiles.push_back(grid_.tile(col, row));
    }
    return tiles;
}

std::vector<Tile> ChunkPlan::contributingTiles(const Chunk& c) const {
    // Overlap is smaller than a tile, so only the ring of direct neighbours can reach in.
    if (!blend_ || grid_.spec().overlap == 0)
        return ownTiles(c);
    std::vector<Tile> tiles;
    const std::int64_t col0 = std::max<std::int64_t>(0, c.col0 - 1);
    const std::int64_t row0 = std::max<std::int64_t>(0, c.row0 - 1);
    const std::int64_t col1 = std::min(grid_.cols(), c.col1 + 1);
    const std::int64_t row1 = std::min(grid_.rows(), c.row1 + 1);
    for (std::int64_t row = row0; row < row1; ++row) {
        for (std::int64_t col = col0; col < col1; ++col) {
            Tile t = grid_.tile(col, row);
            if (!t.halo.intersected(c.core).empty())
                tiles.push_back(t);
        }
    }
    return tiles;
}

Rect ChunkPlan::inputRect(const std::vector<Tile>& tiles) const {
    std::int64_t x0 = tiles.front().halo.x, y0 = tiles.front().halo.y;
    std::int64_t x1 = tiles.front().halo.right(), y1 = tiles.front().halo.bottom();
    for (const Tile& t : tiles) {
        x0 = std::min(x0, t.halo.x);
        y0 = std::min(y0, t.halo.y);
        x1 = std::max(x1, t.halo.right());
        y1 = std::max(y1, t.halo.bottom());
    }
    return {x0, y0, x1 - x0, y1 - y0};
}

Size ChunkPlan::largestCore() const {
    const Size image = grid_.imageSize(), tile = grid_.spec().tile;
    return {std::min(image.width, tilesX_ * tile.width),
            std::min(image.height, tilesY_ * tile.height)};
}

Size ChunkPlan::largestInput() const {
    const Size image = grid_.imageSize(), tile = grid_.spec().tile, core = largestCore();
    const std::int64_t overlap = grid_.spec().overlap;
    // In blend mode the neighbouring ring of tiles is computed too.
    const bool ring = blend_ && overlap > 0;
    return {std::min(image.width, core.width + 2 * overlap + (ring ? 2 * tile.width : 0)),
            std::min(image.height, core.height + 2 * overlap + (ring ? 2 * tile.height : 0))};
}

Size ChunkPlan::largestHalo() const {
    const Size image = grid_.imageSize(), tile = grid_.spec().tile;
    const std::int64_t overlap = grid_.spec().overlap;
    return {std::min(image.width, tile.width + 2 * overlap),
            std::min(image.height, tile.height + 2 * overlap)};
}

}  // namespace tileflow::detail
