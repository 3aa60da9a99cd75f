#include "tileflow/source.hpp"

#include "tileflow/error.hpp"

namespace tileflow {

void MemorySource::read(const Rect& region, ImageView out) const {
    copyPixels(pixels_.region(region), out);
}

void MemorySink::begin(const ImageInfo& info) {
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
