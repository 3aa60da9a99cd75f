#include "layer_sink.hpp"

#include <utility>

namespace tileflow::plugin::detail {

LayerSink::LayerSink(DisplayGrid grid, int level, std::string operationKey,
                     std::shared_ptr<ResultCache> cache, DisplayMapping display, Deliver deliver)
    : grid_(grid),
      level_(level),
      key_(std::move(operationKey)),
      cache_(std::move(cache)),
      display_(std::move(display)),
      deliver_(std::move(deliver)) {}

void LayerSink::write(const Rect& region, ConstImageView pixels) {
    for (const Rect& piece : grid_.piecesOf(region)) {
        ImageInfo info = pixels.info();
        info.size = piece.size();
        auto raw = std::make_shared<Image>(info);
        copyPixels(pixels.region(piece.relativeTo(region)), raw->view());
        if (cache_ && grid_.isWholeTile(piece))
            cache_->insert({key_, level_, piece}, raw);
        deliver_(grid_.toLevel0(piece), display_.toImage(*raw), raw);
    }
}

}  // namespace tileflow::plugin::detail
