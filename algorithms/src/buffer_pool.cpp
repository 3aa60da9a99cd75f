#include "buffer_pool.hpp"

#include <algorithm>
#include <utility>

namespace tileflow::detail {

Lease::Lease(BufferPool* pool, Image storage, const ImageInfo& info)
    : pool_(pool), storage_(std::move(storage)) {
    const auto row = info.size.width * static_cast<std::int64_t>(bytesPerSample(info.dtype));
    view_ = ImageView(storage_.view().data(), info, row, row * info.size.height);
}

Lease::Lease(Lease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)),
      storage_(std::move(other.storage_)),
      view_(std::exchange(other.view_, ImageView())) {}

Lease& Lease::operator=(Lease&& other) noexcept {
    if (this != &other) {
        giveBack();
        pool_ = std::exchange(other.pool_, nullptr);
        storage_ = std::move(other.storage_);
        view_ = std::exchange(other.view_, ImageView());
    }
    return *this;
}

Lease::~Lease() {
    giveBack();
}

void Lease::giveBack() noexcept {
    if (pool_ != nullptr)
        std::exchange(pool_, nullptr)->giveBack(std::move(storage_));
    view_ = ImageView();
}

Lease BufferPool::acquire(const ImageInfo& info, std::int64_t capacity) {
    const std::int64_t needed = std::max({info.bytes(), capacity, std::int64_t{1}});
    {
        // The smallest free buffer that fits keeps large ones for large requests.
        std::lock_guard lock(mutex_);
        auto best = free_.end();
        for (auto it = free_.begin(); it != free_.end(); ++it) {
            if (it->bytes() >= needed && (best == free_.end() || it->bytes() < best->bytes()))
                best = it;
        }
        if (best != free_.end()) {
            Image storage = std::move(*best);
            free_.erase(best);
            return Lease(this, std::move(storage), info);
        }
    }
    Image storage(DType::U8, 1, needed, 1);
    const std::int64_t now = held_ += storage.bytes();
    std::int64_t peak = peak_.load();
    while (now > peak && !peak_.compare_exchange_weak(peak, now)) {
    }
    return Lease(this, std::move(storage), info);
}

void BufferPool::giveBack(Image storage) noexcept {
    std::lock_guard lock(mutex_);
    free_.push_back(std::move(storage));
}

}  // namespace tileflow::detail
