#include "tileflow/plugin/callback_source.hpp"

#include <string>
#include <utility>

#include "tileflow/error.hpp"

namespace tileflow::plugin {

namespace {

std::string describe(const Rect& r) {
    return std::to_string(r.x) + "," + std::to_string(r.y) + " " + std::to_string(r.width) + "x" +
           std::to_string(r.height);
}

}  // namespace

CallbackSource::CallbackSource(ImageInfo info, ReadRegion read, std::vector<SourceLevel> levels)
    : info_(info), read_(std::move(read)), levels_(std::move(levels)) {
    if (levels_.empty())
        levels_.push_back({info_.size, 1});
    if (levels_.front().size != info_.size)
        throw InvalidArgument("CallbackSource: level 0 must have the image's size");
    if (!read_)
        throw InvalidArgument("CallbackSource: no read callback");
}

void CallbackSource::read(const Rect& region, ImageView out) const {
    readLevel(0, region, out);
}

SourceMetadata CallbackSource::metadata() const {
    SourceMetadata m = Source::metadata();
    m.format = "callback";
    m.levels = levels_;
    return m;
}

void CallbackSource::readLevel(int level, const Rect& region, ImageView out) const {
    if (level < 0 || static_cast<std::size_t>(level) >= levels_.size()) {
        throw InvalidArgument("level " + std::to_string(level) + " does not exist: the image has " +
                              std::to_string(levels_.size()) + " level(s)");
    }
    const Size levelSize = levels_[static_cast<std::size_t>(level)].size;
    if (region.empty() || !rectOf(levelSize).contains(region)) {
        throw InvalidArgument("region " + describe(region) + " is not inside level " +
                              std::to_string(level) + " (" + std::to_string(levelSize.width) + "x" +
                              std::to_string(levelSize.height) + ")");
    }
    if (out.info() != ImageInfo{region.size(), info_.channels, info_.dtype})
        throw InvalidArgument("CallbackSource: the output view does not match region " +
                              describe(region));
    read_(level, region, out);
}

}  // namespace tileflow::plugin
