// The resolution levels a view draws from, and their 256-pixel display tiles.
//
// The levels are the source's own (source.hpp metadata) followed, when its coarsest level is
// still larger than one tile, by reduced levels made on the fly from that coarsest level,
// each half the size of the one before, until the whole image fits in one tile. The last
// level is the coarsest; views keep its tiles (few) always at hand.
//
// Tiles are squares of kTileSide pixels of a level, on a grid anchored at the level's origin
// and clipped at its border. A tile's level-0 rectangle is its level rectangle scaled by the
// level's downsample; the level's far edges map to the image's.
//
// Thread-safety: immutable after construction; readTile() may run on any thread (source
// reads are thread-safe). Errors: readTile() throws what the source throws.
#pragma once

#include <QRectF>
#include <vector>

#include "tileflow/source.hpp"

namespace tileflow::gui {

struct TileKey {
    int level = 0;
    std::int64_t column = 0;
    std::int64_t row = 0;
    // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 sees the synthesised `<=> 0`
    friend auto operator<=>(const TileKey&, const TileKey&) = default;
};

struct DisplayLevel {
    Size size;                // in the level's pixels
    double downsample = 1;    // level-0 pixels per level pixel
    int sourceLevel = 0;      // the source level it is read from
    std::int64_t factor = 1;  // its reduction of that source level (1: the level itself)
};

class DisplayPyramid {
public:
    static constexpr std::int64_t kTileSide = 256;

    explicit DisplayPyramid(const Source& source);

    const std::vector<DisplayLevel>& levels() const { return levels_; }
    int coarsest() const { return static_cast<int>(levels_.size()) - 1; }
    Size imageSize() const { return levels_.front().size; }

    // The coarsest level whose downsample is at most 1 / scale (so a level pixel is never
    // stretched over more than one screen pixel); level 0 when zoomed in beyond 1:1.
    int levelForScale(double scale) const;

    // Tiles of `level` meeting the level-0 rectangle, nearest to its centre first.
    std::vector<TileKey> tilesMeeting(int level, const QRectF& level0) const;
    Rect tileRect(const TileKey& key) const;  // level pixels
    QRectF level0Rect(const TileKey& key) const;

    // Reads `region`, in the pixels of display `level`, of all channels of `source` (the
    // source this pyramid was made for): a source level as it is, a reduced level made from
    // its source level.
    void readLevel(const Source& source, int level, const Rect& region, ImageView out) const;
    // The tile's pixels: all channels, the source's dtype.
    Image readTile(const Source& source, const TileKey& key) const;

private:
    std::vector<DisplayLevel> levels_;
};

}  // namespace tileflow::gui
