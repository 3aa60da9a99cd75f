/// @file
/// Pixel geometry: sizes and rectangles in integer pixel coordinates.
///
/// Coordinates are 64-bit so a gigapixel image can be addressed directly. x grows to the
/// right, y grows downwards, (0, 0) is the top-left pixel. A Rect is half-open: it covers
/// columns [x, x + width) and rows [y, y + height). Unless a function says otherwise,
/// rectangles are in the pixel space of the image being processed.
#pragma once

#include <algorithm>
#include <cstdint>

namespace tileflow {

/// A width and height in pixels.
struct Size {
    std::int64_t width = 0;   ///< columns
    std::int64_t height = 0;  ///< rows

    /// width * height.
    constexpr std::int64_t area() const { return width * height; }
    /// True when either side is zero or negative.
    constexpr bool empty() const { return width <= 0 || height <= 0; }
    /// Equal when both sides are.
    friend constexpr bool operator==(const Size&, const Size&) = default;
};

/// A half-open rectangle of pixels: columns [x, x + width), rows [y, y + height).
struct Rect {
    std::int64_t x = 0;       ///< left column
    std::int64_t y = 0;       ///< top row
    std::int64_t width = 0;   ///< columns
    std::int64_t height = 0;  ///< rows

    /// One past the last column.
    constexpr std::int64_t right() const { return x + width; }
    /// One past the last row.
    constexpr std::int64_t bottom() const { return y + height; }
    /// width and height.
    constexpr Size size() const { return {width, height}; }
    /// width * height.
    constexpr std::int64_t area() const { return width * height; }
    /// True when either side is zero or negative.
    constexpr bool empty() const { return width <= 0 || height <= 0; }

    /// True when `r` lies inside this rectangle (its edges may touch this one's).
    constexpr bool contains(const Rect& r) const {
        return r.x >= x && r.y >= y && r.right() <= right() && r.bottom() <= bottom();
    }
    /// The overlap of two rectangles; empty (zero size) when they do not meet.
    constexpr Rect intersected(const Rect& r) const {
        const std::int64_t left = std::max(x, r.x);
        const std::int64_t top = std::max(y, r.y);
        const std::int64_t w = std::max<std::int64_t>(0, std::min(right(), r.right()) - left);
        const std::int64_t h = std::max<std::int64_t>(0, std::min(bottom(), r.bottom()) - top);
        return {left, top, w, h};
    }
    /// Grown by `margin` pixels on every side.
    constexpr Rect grown(std::int64_t margin) const {
        return {x - margin, y - margin, width + 2 * margin, height + 2 * margin};
    }
    /// Moved so that `origin` becomes (0, 0).
    constexpr Rect relativeTo(const Rect& origin) const {
        return {x - origin.x, y - origin.y, width, height};
    }
    /// Equal when position and size are.
    friend constexpr bool operator==(const Rect&, const Rect&) = default;
};

/// The rectangle of a whole image of size `s`: origin (0, 0), size `s`.
constexpr Rect rectOf(Size s) {
    return {0, 0, s.width, s.height};
}

}  // namespace tileflow
