#include "gui/display_pyramid.hpp"

#include <algorithm>
#include <cmath>

namespace tileflow::gui {

namespace {

// Up to this reduction a reduced tile averages every pixel beneath it; beyond, reading all
// of them would cost too much, and it takes one pixel (the block's centre) per block.
constexpr std::int64_t kMaxAveragedFactor = 4;

std::int64_t ceilDiv(std::int64_t a, std::int64_t b) {
    return (a + b - 1) / b;
}

template <typename T>
void averageBlocks(ConstImageView in, std::int64_t factor, ImageView out) {
    for (int c = 0; c < out.channels(); ++c) {
        for (std::int64_t y = 0; y < out.height(); ++y) {
            T* target = out.row<T>(c, y);
            const std::int64_t y0 = y * factor;
            const std::int64_t y1 = std::min(y0 + factor, in.height());
            for (std::int64_t x = 0; x < out.width(); ++x) {
                const std::int64_t x0 = x * factor;
                const std::int64_t x1 = std::min(x0 + factor, in.width());
                double sum = 0;
                for (std::int64_t sy = y0; sy < y1; ++sy) {
                    const T* source = in.row<T>(c, sy);
                    for (std::int64_t sx = x0; sx < x1; ++sx)
                        sum += static_cast<double>(source[sx]);
                }
                const double mean = sum / static_cast<double>((y1 - y0) * (x1 - x0));
                if constexpr (std::is_floating_point_v<T>)
                    target[x] = static_cast<T>(mean);
                else
                    target[x] = static_cast<T>(std::lround(mean));
            }
        }
    }
}

void readReduced(const Source& source, const DisplayLevel& level, Size base, const Rect& region,
                 ImageView out) {
    const std::int64_t f = level.factor;
    const Rect baseRegion =
        Rect{region.x * f, region.y * f, region.width * f, region.height * f}.intersected(
            rectOf(base));
    if (f <= kMaxAveragedFactor) {
        Image block(ImageInfo{baseRegion.size(), out.channels(), out.dtype()});
        source.readLevel(level.sourceLevel, baseRegion, block);
        visitDType(out.dtype(),
                   [&](auto sample) { averageBlocks<decltype(sample)>(block.view(), f, out); });
        return;
    }
    Image pixel(ImageInfo{{1, 1}, out.channels(), out.dtype()});
    const std::size_t sampleBytes = bytesPerSample(out.dtype());
    for (std::int64_t y = 0; y < out.height(); ++y) {
        const std::int64_t sy = std::min(baseRegion.y + y * f + f / 2, baseRegion.bottom() - 1);
        for (std::int64_t x = 0; x < out.width(); ++x) {
            const std::int64_t sx = std::min(baseRegion.x + x * f + f / 2, baseRegion.right() - 1);
            source.readLevel(level.sourceLevel, {sx, sy, 1, 1}, pixel);
            for (int c = 0; c < out.channels(); ++c) {
                std::copy_n(pixel.view().row<std::byte>(c, 0), sampleBytes,
                            out.row<std::byte>(c, y) + static_cast<std::int64_t>(sampleBytes) * x);
            }
        }
    }
}

}  // namespace

DisplayPyramid::DisplayPyramid(const Source& source) {
    const std::vector<SourceLevel> sourceLevels = source.metadata().levels;
    for (std::size_t i = 0; i < sourceLevels.size(); ++i)
        levels_.push_back(
            {sourceLevels[i].size, sourceLevels[i].downsample, static_cast<int>(i), 1});
    const DisplayLevel base = levels_.back();
    for (std::int64_t factor = 2;; factor *= 2) {
        const DisplayLevel& last = levels_.back();
        if (std::max(last.size.width, last.size.height) <= kTileSide)
            break;
        levels_.push_back({{ceilDiv(base.size.width, factor), ceilDiv(base.size.height, factor)},
                           base.downsample * static_cast<double>(factor),
                           base.sourceLevel,
                           factor});
    }
}

int DisplayPyramid::levelForScale(double scale) const {
    const double wanted = 1 / scale * (1 + 1e-9);
    int best = 0;
    for (std::size_t i = 0; i < levels_.size(); ++i) {
        if (levels_[i].downsample <= wanted)
            best = static_cast<int>(i);
    }
    return best;
}

std::vector<TileKey> DisplayPyramid::tilesMeeting(int level, const QRectF& level0) const {
    const DisplayLevel& l = levels_.at(static_cast<std::size_t>(level));
    const QRectF image(0, 0, static_cast<double>(imageSize().width),
                       static_cast<double>(imageSize().height));
    const QRectF visible = level0.intersected(image);
    std::vector<TileKey> keys;
    if (visible.isEmpty())
        return keys;
    const double side = static_cast<double>(kTileSide) * l.downsample;
    const auto columns = ceilDiv(l.size.width, kTileSide);
    const auto rows = ceilDiv(l.size.height, kTileSide);
    const auto firstColumn =
        std::clamp(static_cast<std::int64_t>(visible.left() / side), std::int64_t{0}, columns - 1);
    const auto lastColumn =
        std::clamp(static_cast<std::int64_t>(visible.right() / side), std::int64_t{0}, columns - 1);
    const auto firstRow =
        std::clamp(static_cast<std::int64_t>(visible.top() / side), std::int64_t{0}, rows - 1);
    const auto lastRow =
        std::clamp(static_cast<std::int64_t>(visible.bottom() / side), std::int64_t{0}, rows - 1);
    for (std::int64_t row = firstRow; row <= lastRow; ++row) {
        for (std::int64_t column = firstColumn; column <= lastColumn; ++column)
            keys.push_back({level, column, row});
    }
    const QPointF centre = visible.center();
    auto distance = [&](const TileKey& key) {
        const QPointF d = level0Rect(key).center() - centre;
        return d.x() * d.x() + d.y() * d.y();
    };
    std::stable_sort(keys.begin(), keys.end(),
                     [&](const TileKey& a, const TileKey& b) { return distance(a) < distance(b); });
    return keys;
}

Rect DisplayPyramid::tileRect(const TileKey& key) const {
    const DisplayLevel& l = levels_.at(static_cast<std::size_t>(key.level));
    return Rect{key.column * kTileSide, key.row * kTileSide, kTileSide, kTileSide}.intersected(
        rectOf(l.size));
}

QRectF DisplayPyramid::level0Rect(const TileKey& key) const {
    const DisplayLevel& l = levels_.at(static_cast<std::size_t>(key.level));
    const Rect r = tileRect(key);
    const auto edge = [&](std::int64_t at, std::int64_t levelEnd, std::int64_t imageEnd) {
        return at >= levelEnd ? static_cast<double>(imageEnd)
                              : static_cast<double>(at) * l.downsample;
    };
    const Size image = imageSize();
    const double left = static_cast<double>(r.x) * l.downsample;
    const double top = static_cast<double>(r.y) * l.downsample;
    return QRectF(QPointF(left, top), QPointF(edge(r.right(), l.size.width, image.width),
                                              edge(r.bottom(), l.size.height, image.height)));
}

void DisplayPyramid::readLevel(const Source& source, int level, const Rect& region,
                               ImageView out) const {
    const DisplayLevel& l = levels_.at(static_cast<std::size_t>(level));
    if (l.factor == 1)
        source.readLevel(l.sourceLevel, region, out);
    else
        readReduced(source, l, levels_.at(static_cast<std::size_t>(l.sourceLevel)).size, region,
                    out);
}

Image DisplayPyramid::readTile(const Source& source, const TileKey& key) const {
    const Rect region = tileRect(key);
    const ImageInfo info = source.info();
    Image tile(ImageInfo{region.size(), info.channels, info.dtype});
    readLevel(source, key.level, region, tile);
    return tile;
}

}  // namespace tileflow::gui
