#include "chunk_plan.hpp"

#include <algorithm>

namespace tileflow::detail {

ChunkTiles::ChunkTiles(const Grid& grid, const Chunk& chunk)
    : grid_(&grid),
      col0_(chunk.col0),
      row0_(chunk.row0),
      cols_(chunk.col1 - chunk.col0),
      count_((chunk.col1 - chunk.col0) * (chunk.row1 - chunk.row0)) {}

ChunkTiles::ChunkTiles(std::vector<Tile> list)
    : count_(static_cast<std::int64_t>(list.size())), list_(std::move(list)) {}

Tile ChunkTiles::at(std::int64_t i) const {
    if (grid_ == nullptr)
        return list_[static_cast<std::size_t>(i)];
    return grid_->tile(col0_ + i % cols_, row0_ + i / cols_);
}

ChunkPlan::ChunkPlan(const Grid& grid, Size chunk, bool blend, std::int64_t radius)
    : grid_(grid), blend_(blend), radius_(radius) {
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

std::vector<Tile> ChunkPlan::contributingTiles(const Chunk& c) const {
    // The overlap is smaller than a tile, so only the ring of direct neighbours reaches in.
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

ChunkTiles ChunkPlan::tiles(const Chunk& c, bool processing) const {
    if (processing && blendRing())
        return ChunkTiles(contributingTiles(c));
    return ChunkTiles(grid_, c);
}

Rect ChunkPlan::inputRect(const Chunk& c, bool processing) const {
    const Rect image = rectOf(grid_.imageSize());
    if (!(processing && blend_))
        return c.core.grown(grid_.spec().overlap).intersected(image);
    const ChunkTiles tiles = this->tiles(c, processing);
    Rect bounds = tiles.at(0).halo;
    for (std::int64_t i = 0; i < tiles.size(); ++i) {
        const Rect h = tiles.at(i).halo;
        const std::int64_t x0 = std::min(bounds.x, h.x), y0 = std::min(bounds.y, h.y);
        const std::int64_t x1 = std::max(bounds.right(), h.right());
        const std::int64_t y1 = std::max(bounds.bottom(), h.bottom());
        bounds = {x0, y0, x1 - x0, y1 - y0};
    }
    return bounds.grown(radius_).intersected(image);
}

std::int64_t ChunkPlan::processingTileCount() const {
    if (!blendRing())
        return grid_.count();
    std::int64_t total = 0;
    for (std::int64_t k = 0; k < count(); ++k)
        total += tiles(chunk(k), true).size();
    return total;
}

Size ChunkPlan::largestCore() const {
    const Size image = grid_.imageSize(), tile = grid_.spec().tile;
    return {std::min(image.width, tilesX_ * tile.width),
            std::min(image.height, tilesY_ * tile.height)};
}

Size ChunkPlan::largestInput() const {
    const Size image = grid_.imageSize(), tile = grid_.spec().tile, core = largestCore();
    const std::int64_t overlap = grid_.spec().overlap;
    const std::int64_t ringX = blendRing() ? 2 * tile.width : 0;
    const std::int64_t ringY = blendRing() ? 2 * tile.height : 0;
    const std::int64_t margin = 2 * overlap + (blend_ ? 2 * radius_ : 0);
    return {std::min(image.width, core.width + margin + ringX),
            std::min(image.height, core.height + margin + ringY)};
}

Size ChunkPlan::largestHalo() const {
    const Size image = grid_.imageSize(), tile = grid_.spec().tile;
    const std::int64_t overlap = grid_.spec().overlap;
    return {std::min(image.width, tile.width + 2 * overlap),
            std::min(image.height, tile.height + 2 * overlap)};
}

}  // namespace tileflow::detail
