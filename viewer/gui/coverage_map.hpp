// CoverageMap: where result layers have tiles, as a small mask over the whole image, for
// the overview to tint.
//
// The mask is an image of at most kLongSide pixels on the image's longer side (one mask
// pixel per level-0 pixel for small images); mask pixel (i, j) covers the level-0 area
// [i / scale(), (i + 1) / scale()) x [j / scale(), (j + 1) / scale()) and is marked (opaque
// kTint) when any rectangle marked since the last clear() overlaps that area, else
// transparent. Marking touches only the rectangle's own mask pixels, so a layer growing
// by a tile costs a few pixel writes and painting costs one scaled drawImage, however many
// tiles there are; only removing tiles needs a rebuild (clear() and mark the rest).
//
// Threads: none; one thread at a time. Errors: none; rectangles outside the image are
// clipped, empty ones ignored.
#pragma once

#include <QColor>
#include <QImage>
#include <QRect>
#include <QSize>

namespace tileflow::gui {

class CoverageMap {
public:
    static constexpr int kLongSide = 512;
    static inline const QColor kTint{0, 200, 255, 110};

    // Sizes the mask for an image of `imageSize` level-0 pixels, unmarked; empty size: none.
    void reset(QSize imageSize);
    void clear();
    void mark(const QRect& level0Rect);

    // Mask pixels per level-0 pixel (<= 1).
    double scale() const { return scale_; }
    // Format_ARGB32_Premultiplied; null before reset() with a non-empty size.
    const QImage& image() const { return mask_; }
    bool covered(int x, int y) const;

private:
    QImage mask_;
    QSize imageSize_;
    double scale_ = 1;
};

}  // namespace tileflow::gui
