// Internal: the sink of an ImageJob that paints the result layer instead of writing a file.
//
// Each chunk the engine writes is cut along the display grid (display_grid.hpp); every piece
// is copied into an image of its own, stored in the result cache when it is a whole display
// tile (so view jobs sharing the cache need not compute it again), converted for display and
// handed to `deliver`, on the engine's writing thread. Nothing is held back: commit() and
// abort() have nothing to do, and a cancelled run leaves the pieces already delivered.
#pragma once

#include <QImage>
#include <QRect>
#include <functional>
#include <memory>
#include <string>

#include "display_grid.hpp"
#include "tileflow/plugin/display_mapping.hpp"
#include "tileflow/plugin/result_cache.hpp"
#include "tileflow/source.hpp"

namespace tileflow::plugin::detail {

class LayerSink final : public Sink {
public:
    using Deliver = std::function<void(const QRect& level0Rect, const QImage& display,
                                       const std::shared_ptr<const Image>& raw)>;

    // `cache` may be null.
    LayerSink(DisplayGrid grid, int level, std::string operationKey,
              std::shared_ptr<ResultCache> cache, DisplayMapping display, Deliver deliver);

    void begin(const ImageInfo&) override {}
    void write(const Rect& region, ConstImageView pixels) override;
    void commit() override {}
    void abort() noexcept override {}

private:
    DisplayGrid grid_;
    int level_;
    std::string key_;
    std::shared_ptr<ResultCache> cache_;
    DisplayMapping display_;
    Deliver deliver_;
};

}  // namespace tileflow::plugin::detail
