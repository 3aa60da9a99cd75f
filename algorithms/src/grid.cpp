#include "tileflow/grid.hpp"

#include <string>

#include "tileflow/error.hpp"

namespace tileflow {

Grid::Grid(Size image, GridSpec spec) : image_(image), spec_(spec) {
    if (spec.tile.width <= 0 || spec.tile.height <= 0) {
        throw InvalidArgument("tile size must be positive, got " + std::to_string(spec.tile.width) +
                              "x" + std::to_string(spec.tile.height));
    }
    if (spec.overlap < 0) {
        throw InvalidArgument("overlap must not be negative, got " + std::to_string(spec.overlap));
    }
    if (spec.overlap >= spec.tile.width || spec.overlap >= spec.tile.height) {
        throw InvalidArgument(
            "overlap (" + std::to_string(spec.overlap) + ") must be smaller than the tile size (" +
            std::to_string(spec.tile.width) + "x" + std::to_string(spec.tile.height) + ")");
    }
    if (image.empty()) {
        throw InvalidArgument("cannot tile an empty image (" + std::to_string(image.width) + "x" +
                              std::to_string(image.height) + ")");
    }
    cols_ = (image.width + spec.tile.width - 1) / spec.tile.width;
    rows_ = (image.height + spec.tile.height - 1) / spec.tile.height;
}

Tile Grid::tile(std::int64_t col, std::int64_t row) const {
    if (col < 0 || row < 0 || col >= cols_ || row >= rows_) {
        throw InvalidArgument("tile (" + std::to_string(col) + ", " + std::to_string(row) +
                              ") is outside the " + std::to_string(cols_) + "x" +
                              std::to_string(rows_) + " grid");
    }
    Tile t;
    t.index = row * cols_ + col;
    t.col = col;
    t.row = row;
    const Rect full = rectOf(image_);
    t.core =
        Rect{col * spec_.tile.width, row * spec_.tile.height, spec_.tile.width, spec_.tile.height}
            .intersected(full);
    t.halo = t.core.grown(spec_.overlap).intersected(full);
    return t;
}

Tile Grid::tile(std::int64_t index) const {
    return tile(index % cols_, index / cols_);
}

}  // namespace tileflow
