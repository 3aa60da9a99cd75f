#include "export_source.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "tileflow/error.hpp"
#include "tileflow/source_views.hpp"

namespace tileflow::plugin {

namespace {

// Keeps the source the views borrow alive as long as they are.
class OwningView final : public Source {
public:
    OwningView(std::shared_ptr<const Source> source, int level, const std::optional<Rect>& region)
        : source_(std::move(source)), level_(*source_, level) {
        if (region)
            region_.emplace(level_, *region);
    }

    ImageInfo info() const override { return top().info(); }
    void read(const Rect& region, ImageView out) const override { top().read(region, out); }
    SourceMetadata metadata() const override { return top().metadata(); }

private:
    const Source& top() const {
        return region_ ? static_cast<const Source&>(*region_) : static_cast<const Source&>(level_);
    }

    std::shared_ptr<const Source> source_;
    LevelSource level_;
    std::optional<RegionSource> region_;
};

std::string describe(const QRect& r) {
    return std::to_string(r.x()) + "," + std::to_string(r.y()) + " " + std::to_string(r.width()) +
           "×" + std::to_string(r.height());
}

}  // namespace

Rect levelRegion(const QRect& level0Region, const SourceLevel& level) {
    const double d = level.downsample;
    const auto down = [d](std::int64_t v) {
        return static_cast<std::int64_t>(std::floor(static_cast<double>(v) / d));
    };
    const auto up = [d](std::int64_t v) {
        return static_cast<std::int64_t>(std::ceil(static_cast<double>(v) / d));
    };
    // At least one level pixel: a level whose downsample exceeds image / level size can put
    // the last level-0 pixels past its last pixel.
    const std::int64_t x0 =
        std::clamp<std::int64_t>(down(level0Region.x()), 0, level.size.width - 1);
    const std::int64_t y0 =
        std::clamp<std::int64_t>(down(level0Region.y()), 0, level.size.height - 1);
    const std::int64_t x1 = std::clamp<std::int64_t>(
        up(std::int64_t{level0Region.x()} + level0Region.width()), x0 + 1, level.size.width);
    const std::int64_t y1 = std::clamp<std::int64_t>(
        up(std::int64_t{level0Region.y()} + level0Region.height()), y0 + 1, level.size.height);
    return {x0, y0, x1 - x0, y1 - y0};
}

std::shared_ptr<const Source> exportedPart(std::shared_ptr<const Source> source, int level,
                                           const std::optional<QRect>& level0Region) {
    const SourceMetadata metadata = source->metadata();
    if (level < 0 || level >= static_cast<int>(metadata.levels.size())) {
        throw InvalidArgument("level " + std::to_string(level) + " does not exist: the image has " +
                              std::to_string(metadata.levels.size()) + " levels");
    }
    if (metadata.levels[static_cast<std::size_t>(level)].derived) {
        throw InvalidArgument("level " + std::to_string(level) +
                              " is a preview made on the fly, not stored in the file; export "
                              "one of the file's levels");
    }
    if (!level0Region)
        return std::make_shared<OwningView>(std::move(source), level, std::nullopt);
    const Size size = source->info().size;
    const QRect image(0, 0, static_cast<int>(size.width), static_cast<int>(size.height));
    const QRect clipped = level0Region->intersected(image);
    if (clipped.isEmpty()) {
        throw InvalidArgument("the region " + describe(*level0Region) + " lies outside the " +
                              std::to_string(size.width) + "×" + std::to_string(size.height) +
                              " image");
    }
    const Rect region = levelRegion(clipped, metadata.levels[static_cast<std::size_t>(level)]);
    return std::make_shared<OwningView>(std::move(source), level, region);
}

}  // namespace tileflow::plugin
