#include "tileflow/plugin/result_cache.hpp"

#include <functional>
#include <utility>

namespace tileflow::plugin {

std::size_t ResultCache::KeyHash::operator()(const Key& k) const {
    std::size_t h = std::hash<std::string>()(k.operation);
    for (const std::int64_t v :
         {std::int64_t{k.level}, k.rect.x, k.rect.y, k.rect.width, k.rect.height}) {
        h = (h ^ std::hash<std::int64_t>()(v)) * 0x100000001b3ULL;
    }
    return h;
}

ResultCache::ResultCache(std::int64_t capacityBytes) : capacity_(capacityBytes) {}

ResultCache::Tile ResultCache::find(const Key& key) {
    std::lock_guard lock(mutex_);
    const auto it = index_.find(key);
    if (it == index_.end())
        return nullptr;
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->second;
}

void ResultCache::insert(const Key& key, Tile tile) {
    if (!tile || tile->bytes() > capacity_)
        return;
    std::lock_guard lock(mutex_);
    if (const auto it = index_.find(key); it != index_.end())
        erase(it->second);
    held_ += tile->bytes();
    lru_.emplace_front(key, std::move(tile));
    index_.emplace(key, lru_.begin());
    while (held_ > capacity_)
        erase(std::prev(lru_.end()));
}

void ResultCache::clear() {
    std::lock_guard lock(mutex_);
    lru_.clear();
    index_.clear();
    held_ = 0;
}

std::int64_t ResultCache::heldBytes() const {
    std::lock_guard lock(mutex_);
    return held_;
}

void ResultCache::erase(Lru::iterator entry) {
    held_ -= entry->second->bytes();
    index_.erase(entry->first);
    lru_.erase(entry);
}

}  // namespace tileflow::plugin
