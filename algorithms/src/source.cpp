#include "tileflow/source.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <exception>

#include "tileflow/error.hpp"
#include "tileflow/limits.hpp"

namespace tileflow {

Rect SourceLevel::cover(const Rect& level0) const {
    if (!(downsample > 0) || !std::isfinite(downsample))
        throw InvalidArgument("a level's downsample must be a positive number");
    if (level0.empty())
        return {};
    const auto down = [this](std::int64_t v) {
        return static_cast<std::int64_t>(std::floor(static_cast<double>(v) / downsample));
    };
    const auto up = [this](std::int64_t v) {
        return static_cast<std::int64_t>(std::ceil(static_cast<double>(v) / downsample));
    };
    const Rect r{down(level0.x), down(level0.y), 0, 0};
    return Rect{r.x, r.y, up(level0.right()) - r.x, up(level0.bottom()) - r.y}.intersected(
        rectOf(size));
}

SourceMetadata Source::metadata() const {
    const ImageInfo i = info();
    SourceMetadata m;
    m.levels.push_back({i.size, 1});
    for (int c = 0; c < i.channels; ++c)
        m.channelNames.push_back("C" + std::to_string(c));
    return m;
}

void Source::readLevel(int level, const Rect& region, ImageView out) const {
    if (level != 0) {
        throw InvalidArgument("level " + std::to_string(level) +
                              " does not exist: the image has one level");
    }
    read(region, out);
}

Image Source::readAssociated(const std::string& name) const {
    throw InvalidArgument("the image has no associated image '" + name + "'");
}

Image readImage(const Source& source, int threads) {
    resourceLimits().checkMemory("reading the whole image into memory", source.info().bytes());
    Image image(source.info());
    const std::int64_t band = 256;
    const std::int64_t height = image.height();
    std::exception_ptr error;
#pragma omp parallel for schedule(dynamic, 1) \
    num_threads(threads > 0 ? threads : omp_get_max_threads())
    for (std::int64_t y = 0; y < height; y += band) {
        try {
            const Rect rows{0, y, image.width(), std::min(band, height - y)};
            source.read(rows, image.view().region(rows));
        } catch (...) {
#pragma omp critical(tileflow_read_image)
            if (!error)
                error = std::current_exception();
        }
    }
    if (error)
        std::rethrow_exception(error);
    return image;
}

void MemorySource::read(const Rect& region, ImageView out) const {
    copyPixels(pixels_.region(region), out);
}

void MemorySink::begin(const ImageInfo& info) {
    resourceLimits().checkMemory("the in-memory result", info.bytes());
    image_ = Image(info);
    committed_ = false;
}

void MemorySink::write(const Rect& region, ConstImageView pixels) {
    copyPixels(pixels, image_.view().region(region));
}

void MemorySink::abort() noexcept {
    image_ = Image();
    committed_ = false;
}

Image MemorySink::take() {
    if (!committed_)
        throw Error("the run did not complete, there is no result to take");
    committed_ = false;
    return std::move(image_);
}

}  // namespace tileflow
