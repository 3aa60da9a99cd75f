#include "display_grid.hpp"

#include <algorithm>
#include <cmath>

namespace tileflow::plugin::detail {

namespace {

std::int64_t floorDiv(std::int64_t a, std::int64_t b) {
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

}  // namespace

DisplayGrid::DisplayGrid(Size level0Size, SourceLevel level, std::int64_t side)
    : level0Size_(level0Size), level_(level), side_(side) {}

std::vector<Rect> DisplayGrid::tilesCentreOut(const QRect& view) const {
    const double d = level_.downsample;
    const auto x0 = static_cast<std::int64_t>(std::floor(view.x() / d));
    const auto y0 = static_cast<std::int64_t>(std::floor(view.y() / d));
    const auto x1 = static_cast<std::int64_t>(std::ceil((view.x() + view.width()) / d));
    const auto y1 = static_cast<std::int64_t>(std::ceil((view.y() + view.height()) / d));
    const Rect visible = Rect{x0, y0, x1 - x0, y1 - y0}.intersected(bounds());
    std::vector<Rect> tiles = piecesOf(visible);
    for (Rect& t : tiles)
        t = tileAt(t.x / side_, t.y / side_);
    // Twice the centres, to stay in integers.
    const std::int64_t cx = 2 * visible.x + visible.width;
    const std::int64_t cy = 2 * visible.y + visible.height;
    auto distance = [&](const Rect& t) {
        const std::int64_t dx = 2 * t.x + t.width - cx;
        const std::int64_t dy = 2 * t.y + t.height - cy;
        return dx * dx + dy * dy;
    };
    std::stable_sort(tiles.begin(), tiles.end(),
                     [&](const Rect& a, const Rect& b) { return distance(a) < distance(b); });
    return tiles;
}

std::vector<Rect> DisplayGrid::piecesOf(const Rect& region) const {
    std::vector<Rect> pieces;
    if (region.empty())
        return pieces;
    const std::int64_t firstRow = floorDiv(region.y, side_);
    const std::int64_t firstColumn = floorDiv(region.x, side_);
    for (std::int64_t row = firstRow; row * side_ < region.bottom(); ++row) {
        for (std::int64_t column = firstColumn; column * side_ < region.right(); ++column)
            pieces.push_back(Rect{column * side_, row * side_, side_, side_}.intersected(region));
    }
    return pieces;
}

bool DisplayGrid::isWholeTile(const Rect& piece) const {
    return !piece.empty() && piece == tileAt(piece.x / side_, piece.y / side_);
}

QRect DisplayGrid::toLevel0(const Rect& levelRect) const {
    auto edge = [&](std::int64_t v, std::int64_t levelExtent, std::int64_t level0Extent) {
        if (v >= levelExtent)
            return level0Extent;
        return std::min(
            level0Extent,
            static_cast<std::int64_t>(std::llround(static_cast<double>(v) * level_.downsample)));
    };
    const std::int64_t left = edge(levelRect.x, level_.size.width, level0Size_.width);
    const std::int64_t top = edge(levelRect.y, level_.size.height, level0Size_.height);
    const std::int64_t right = edge(levelRect.right(), level_.size.width, level0Size_.width);
    const std::int64_t bottom = edge(levelRect.bottom(), level_.size.height, level0Size_.height);
    return QRect(static_cast<int>(left), static_cast<int>(top), static_cast<int>(right - left),
                 static_cast<int>(bottom - top));
}

Rect DisplayGrid::tileAt(std::int64_t column, std::int64_t row) const {
    return Rect{column * side_, row * side_, side_, side_}.intersected(bounds());
}

}  // namespace tileflow::plugin::detail
