// Internal: the display tiles of one pyramid level, as both jobs deliver them.
//
// Display tiles are squares of `side` pixels of the level, on a grid anchored at the level's
// origin and clipped at its border. Level rectangles map to level 0 by the level's
// downsample, rounded to whole pixels; the level's right and bottom edges map to level 0's,
// so the tiles' level-0 rectangles cover the image without gaps.
#pragma once

#include <QRect>
#include <cstdint>
#include <vector>

#include "tileflow/source.hpp"

namespace tileflow::plugin::detail {

class DisplayGrid {
public:
    // `side` must be positive.
    DisplayGrid(Size level0Size, SourceLevel level, std::int64_t side);

    Rect bounds() const { return rectOf(level_.size); }
    // The tiles meeting `view` (level-0 pixels), the one nearest the view's centre first.
    std::vector<Rect> tilesCentreOut(const QRect& view) const;
    // `region` (level pixels) cut along the tile grid, row by row.
    std::vector<Rect> piecesOf(const Rect& region) const;
    // Whether `piece` is one whole tile, as clipped by the border.
    bool isWholeTile(const Rect& piece) const;
    QRect toLevel0(const Rect& levelRect) const;

private:
    Rect tileAt(std::int64_t column, std::int64_t row) const;

    Size level0Size_;
    SourceLevel level_;
    std::int64_t side_;
};

}  // namespace tileflow::plugin::detail
