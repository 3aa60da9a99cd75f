/// @file
/// The tile grid: how an image is cut into tiles that overlap.
///
/// A grid over an image of size W x H with GridSpec{tile, overlap} has
/// @code
///   cols = ceil(W / tile.width), rows = ceil(H / tile.height)
/// @endcode
/// tiles. Tile (col, row) has
///   - a core: [col * tile.width, min(W, (col + 1) * tile.width)) horizontally, likewise
///     vertically. The cores partition the image exactly: every pixel lies in one core.
///   - a halo: the core grown by `overlap` on every side, clipped to the image. Clipping
///     means the image border is real border; no padding is ever invented.
///
/// Tiles are numbered row-major: index = row * cols + col.
///
/// Tiles are computed on demand; a grid is a few integers however many tiles it has.
/// Grid is a value type and safe to share between threads.
///
/// Errors: a non-positive tile size, a negative overlap, an overlap not smaller than the
/// tile, or an empty image throw tileflow::InvalidArgument.
#pragma once

#include <cstdint>
#include <iterator>

#include "tileflow/geometry.hpp"

namespace tileflow {

/// How to cut an image into tiles.
struct GridSpec {
    Size tile{512, 512};       ///< core size in pixels; the last column and row may be smaller
    std::int64_t overlap = 0;  ///< pixels the halo extends past the core on each side
};

/// One tile of a Grid; rectangles in the image's pixels.
struct Tile {
    std::int64_t index = 0;  ///< row * cols + col
    std::int64_t col = 0;    ///< column in the grid, 0-based
    std::int64_t row = 0;    ///< row in the grid, 0-based
    Rect core;               ///< the pixels this tile owns
    Rect halo;               ///< the core grown by the overlap, clipped to the image
};

/// The tiles of one image; see the file description.
class Grid {
public:
    /// Throws InvalidArgument for the specs listed above.
    Grid(Size image, GridSpec spec);

    /// Size of the image being cut.
    Size imageSize() const { return image_; }
    /// Tile size and overlap.
    const GridSpec& spec() const { return spec_; }
    /// Tiles per row.
    std::int64_t cols() const { return cols_; }
    /// Tiles per column.
    std::int64_t rows() const { return rows_; }
    /// Number of tiles.
    std::int64_t count() const { return cols_ * rows_; }

    /// Tile `index` in row-major order; throws InvalidArgument outside [0, count()).
    Tile tile(std::int64_t index) const;
    /// Tile (col, row); throws InvalidArgument outside the grid.
    Tile tile(std::int64_t col, std::int64_t row) const;

    /// Visits the tiles in row-major order, computing each on dereference.
    class Iterator {
    public:
        ///@{
        /// Iterator traits: a forward iterator yielding Tile values.
        using iterator_category = std::forward_iterator_tag;
        using value_type = Tile;
        using difference_type = std::int64_t;
        using pointer = void;
        using reference = Tile;
        ///@}

        /// An iterator of no grid; assign a positioned one before use.
        Iterator() = default;
        /// Positioned at tile `index` of `grid`.
        Iterator(const Grid* grid, std::int64_t index) : grid_(grid), index_(index) {}
        /// The current tile.
        Tile operator*() const { return grid_->tile(index_); }
        /// Moves to the next tile.
        Iterator& operator++() {
            ++index_;
            return *this;
        }
        /// Moves to the next tile, returning the position before.
        Iterator operator++(int) {
            Iterator before = *this;
            ++index_;
            return before;
        }
        /// Equal at the same tile index (of the same grid).
        friend bool operator==(const Iterator& a, const Iterator& b) {
            return a.index_ == b.index_;
        }

    private:
        const Grid* grid_ = nullptr;
        std::int64_t index_ = 0;
    };
    /// The first tile.
    Iterator begin() const { return {this, 0}; }
    /// One past the last tile.
    Iterator end() const { return {this, count()}; }

private:
    Size image_;
    GridSpec spec_;
    std::int64_t cols_ = 0;
    std::int64_t rows_ = 0;
};

}  // namespace tileflow
