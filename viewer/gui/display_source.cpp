#include "gui/display_source.hpp"

#include <string>

#include "tileflow/error.hpp"

namespace tileflow::gui {

DisplaySource::DisplaySource(std::shared_ptr<const Source> source)
    : source_(std::move(source)), pyramid_(*source_), metadata_(source_->metadata()) {
    metadata_.levels.clear();
    for (const DisplayLevel& level : pyramid_.levels())
        metadata_.levels.push_back({level.size, level.downsample, level.factor > 1});
}

void DisplaySource::read(const Rect& region, ImageView out) const {
    source_->read(region, out);
}

void DisplaySource::readLevel(int level, const Rect& region, ImageView out) const {
    const auto levels = static_cast<int>(pyramid_.levels().size());
    if (level < 0 || level >= levels)
        throw InvalidArgument("level " + std::to_string(level) + " does not exist: the view has " +
                              std::to_string(levels) + " levels");
    const Size size = pyramid_.levels()[static_cast<std::size_t>(level)].size;
    if (region.empty() || !rectOf(size).contains(region) || out.size() != region.size() ||
        out.channels() != info().channels || out.dtype() != info().dtype)
        throw InvalidArgument("read outside level " + std::to_string(level) +
                              " or into a view of the wrong shape");
    pyramid_.readLevel(*source_, level, region, out);
}

Image DisplaySource::readAssociated(const std::string& name) const {
    return source_->readAssociated(name);
}

}  // namespace tileflow::gui
