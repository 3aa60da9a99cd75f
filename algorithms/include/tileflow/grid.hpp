// The tile grid: how an image is cut into tiles that overlap.
//
// A grid over an image of size W x H with GridSpec{tile, overlap} has
//   cols = ceil(W / tile.width), rows = ceil(H / tile.height)
// tiles. Tile (col, row) has
//   - a core: [col * tile.width, min(W, (col + 1) * tile.width)) horizontally, likewise
//     vertically. The cores partition the image exactly: every pixel lies in one core.
//   - a halo: the core grown by `overlap` on every side, clipped to the image. Clipping
//     means the image border is real border; no padding is ever invented.
// Tiles are numbered row-major: index = row * cols + col.
//
// Tiles are computed on demand; a grid is a few integers however many tiles it has.
// Grid is a value type and safe to share between threads.
//
// Errors: a non-positive tile size, a negative overlap, an overlap not smaller than the
// tile, or an empty image throw tileflow::InvalidArgument.
#pragma once

#include <cstdint>
#include <iterator>

#include "tileflow/geometry.hpp"

namespace tileflow {

struct GridSpec {
    Size tile{512, 512};
    std::int64_t overlap = 0;
};

struct Tile {
    std::int64_t index = 0;
    std::int64_t col = 0;
    std::int64_t row = 0;
    Rect core;
    Rect halo;
};

class Grid {
public:
    Grid(Size image, GridSpec spec);

    Size imageSize() const { return image_; }
    const GridSpec& spec() const { return spec_; }
    std::int64_t cols() const { return cols_; }
    std::int64_t rows() const { return rows_; }
    std::int64_t count() const { return cols_ * rows_; }

    Tile tile(std::int64_t index) const;
    Tile tile(std::int64_t col, std::int64_t row) const;

    class Iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = Tile;
        using difference_type = std::int64_t;
        using pointer = void;
        using reference = Tile;

        Iterator() = default;
        Iterator(const Grid* grid, std::int64_t index) : grid_(grid), index_(index) {}
        Tile operator*() const { return grid_->tile(index_); }
        Iterator& operator++() {
            ++index_;
            return *this;
        }
        Iterator operator++(int) {
            Iterator before = *this;
            ++index_;
            return before;
        }
        friend bool operator==(const Iterator& a, const Iterator& b) {
            return a.index_ == b.index_;
        }

    private:
        const Grid* grid_ = nullptr;
        std::int64_t index_ = 0;
    };
    Iterator begin() const { return {this, 0}; }
    Iterator end() const { return {this, count()}; }

private:
    Size image_;
    GridSpec spec_;
    std::int64_t cols_ = 0;
    std::int64_t rows_ = 0;
};

}  // namespace tileflow
