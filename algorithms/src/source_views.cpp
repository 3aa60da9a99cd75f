#include "tileflow/source_views.hpp"

#include <string>

#include "tileflow/error.hpp"

namespace tileflow {

LevelSource::LevelSource(const Source& source, int level)
    : source_(source), level_(level), info_(source.info()), metadata_(source.metadata()) {
    const auto levels = static_cast<int>(metadata_.levels.size());
    if (level < 0 || level >= levels) {
        throw InvalidArgument("level " + std::to_string(level) + " does not exist: the image has " +
                              std::to_string(levels) + (levels == 1 ? " level" : " levels") +
                              " (0 to " + std::to_string(levels - 1) + ")");
    }
    const SourceLevel chosen = metadata_.levels[static_cast<std::size_t>(level)];
    info_.size = chosen.size;
    // As a source of its own, the level is level 0, with the coarser ones below it.
    metadata_.levels.erase(metadata_.levels.begin(), metadata_.levels.begin() + level);
    for (SourceLevel& l : metadata_.levels)
        l.downsample /= chosen.downsample;
    if (metadata_.micronsPerPixel)
        *metadata_.micronsPerPixel *= chosen.downsample;
}

void LevelSource::read(const Rect& region, ImageView out) const {
    source_.readLevel(level_, region, out);
}

void LevelSource::readLevel(int level, const Rect& region, ImageView out) const {
    if (level < 0 || level >= static_cast<int>(metadata_.levels.size()))
        throw InvalidArgument("level " + std::to_string(level) + " does not exist: the view has " +
                              std::to_string(metadata_.levels.size()) + " level(s)");
    source_.readLevel(level_ + level, region, out);
}

SourceMetadata LevelSource::metadata() const {
    return metadata_;
}

RegionSource::RegionSource(const Source& source, const Rect& region)
    : source_(source), region_(region), info_(source.info()) {
    if (region.empty() || !rectOf(info_.size).contains(region)) {
        throw InvalidArgument("region " + std::to_string(region.x) + "," +
                              std::to_string(region.y) + "," + std::to_string(region.width) + "," +
                              std::to_string(region.height) + " is empty or outside the " +
                              std::to_string(info_.size.width) + "x" +
                              std::to_string(info_.size.height) + " image");
    }
    info_.size = region.size();
}

void RegionSource::read(const Rect& region, ImageView out) const {
    source_.read({region.x + region_.x, region.y + region_.y, region.width, region.height}, out);
}

SourceMetadata RegionSource::metadata() const {
    SourceMetadata m = source_.metadata();
    m.levels = {{region_.size(), 1}};
    m.associatedImages.clear();
    return m;
}

ChannelSource::ChannelSource(const Source& source, std::vector<int> channels)
    : source_(source), channels_(std::move(channels)), info_(source.info()) {
    if (channels_.empty())
        throw InvalidArgument("no channels selected");
    for (int c : channels_) {
        if (c < 0 || c >= info_.channels) {
            throw InvalidArgument("channel " + std::to_string(c) +
                                  " does not exist: the image has " +
                                  std::to_string(info_.channels) + " channels (0 to " +
                                  std::to_string(info_.channels - 1) + ")");
        }
    }
    info_.channels = static_cast<int>(channels_.size());
}

void ChannelSource::read(const Rect& region, ImageView out) const {
    readLevel(0, region, out);
}

void ChannelSource::readLevel(int level, const Rect& region, ImageView out) const {
    // Sources read all channels at once; the unused ones are read and dropped. The buffer
    // is kept per thread: chunk reads come again and again from the same threads.
    ImageInfo all = source_.info();
    all.size = region.size();
    thread_local std::vector<std::byte> buffer;
    buffer.resize(static_cast<std::size_t>(all.bytes()));
    const auto row = all.size.width * static_cast<std::int64_t>(bytesPerSample(all.dtype));
    const ImageView pixels(buffer.data(), all, row, row * all.size.height);
    source_.readLevel(level, region, pixels);
    for (std::size_t i = 0; i < channels_.size(); ++i) {
        copyPixels(ConstImageView(pixels).channel(channels_[i]), out.channel(static_cast<int>(i)));
    }
}

SourceMetadata ChannelSource::metadata() const {
    SourceMetadata m = source_.metadata();
    std::vector<std::string> names;
    for (int c : channels_)
        names.push_back(m.channelNames.at(static_cast<std::size_t>(c)));
    m.channelNames = names;
    return m;
}

}  // namespace tileflow
