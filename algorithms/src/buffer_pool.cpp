#include "buffer_pool.hpp"

#include <algorithm>

namespace tileflow::detail {

Image BufferPool::acquire(const ImageInfo& info) {
    {
        std::lock_guard lock(mutex_);
        auto it = std::find_if(free_.begin(), free_.end(),
                               [&](const Image& image) { return image.info() == info; });
        if (it != free_.end()) {
            Image image = std::move(*it);
            free_.erase(it);
            return image;
        }
    }
    Image image(info);
    const std::int64_t now = held_ += image.bytes();
    std::int64_t peak = peak_.load();
    while (now > peak && !peak_.compare_exchange_weak(peak, now)) {
    }
    return image;
}

void BufferPool::release(Image image) {
    if (image.empty())
        return;
    std::lock_guard lock(mutex_);
    free_.push_back(std::move(image));
}

}  // namespace tileflow::detail
