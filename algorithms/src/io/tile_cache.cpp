#include "tileflow/tile_cache.hpp"

#include <utility>

#include "tileflow/error.hpp"

namespace tileflow {

TileCache::TileCache(std::int64_t capacityBytes) : capacity_(capacityBytes) {
    if (capacityBytes < 0)
        throw InvalidArgument("a tile cache capacity must not be negative");
}

TileCache::Tile TileCache::get(const Key& key, const std::function<Bytes()>& load) {
    {
        std::lock_guard lock(mutex_);
        auto it = index_.find(key);
        if (it != index_.end()) {
            lru_.splice(lru_.begin(), lru_, it->second);
            ++hits_;
            return it->second->second;
        }
        ++misses_;
    }
    Tile tile = std::make_shared<const Bytes>(load());
    const auto size = static_cast<std::int64_t>(tile->size());
    std::lock_guard lock(mutex_);
    if (size > capacity_ || index_.count(key) != 0)
        return tile;
    lru_.emplace_front(key, tile);
    index_[key] = lru_.begin();
    held_ += size;
    while (held_ > capacity_) {
        held_ -= static_cast<std::int64_t>(lru_.back().second->size());
        index_.erase(lru_.back().first);
        lru_.pop_back();
    }
    return tile;
}

std::int64_t TileCache::heldBytes() const {
    std::lock_guard lock(mutex_);
    return held_;
}

std::int64_t TileCache::hits() const {
    std::lock_guard lock(mutex_);
    return hits_;
}

std::int64_t TileCache::misses() const {
    std::lock_guard lock(mutex_);
    return misses_;
}

}  // namespace tileflow
