#include "gui/display_cache.hpp"

namespace tileflow::gui {

void DisplayCache::insert(const TileKey& key, const QImage& tile) {
    if (auto it = entries_.find(key); it != entries_.end()) {
        bytes_ -= it->second.tile.sizeInBytes();
        uses_.erase(it->second.use);
        entries_.erase(it);
    }
    uses_.push_front(key);
    entries_.emplace(key, Entry{tile, uses_.begin()});
    bytes_ += tile.sizeInBytes();
    evict();
}

const QImage* DisplayCache::find(const TileKey& key) {
    auto it = entries_.find(key);
    if (it == entries_.end())
        return nullptr;
    uses_.splice(uses_.begin(), uses_, it->second.use);
    return &it->second.tile;
}

bool DisplayCache::isCurrent(const TileKey& key) const {
    auto it = entries_.find(key);
    return it != entries_.end() && !it->second.stale;
}

void DisplayCache::markAllStale() {
    for (auto& [key, entry] : entries_)
        entry.stale = true;
}

void DisplayCache::clear() {
    entries_.clear();
    uses_.clear();
    bytes_ = 0;
}

void DisplayCache::evict() {
    auto use = uses_.end();
    while (bytes_ > capacity_ && use != uses_.begin()) {
        --use;
        if (use->level == pinnedLevel_)
            continue;
        auto entry = entries_.find(*use);
        bytes_ -= entry->second.tile.sizeInBytes();
        entries_.erase(entry);
        use = uses_.erase(use);
    }
}

}  // namespace tileflow::gui
