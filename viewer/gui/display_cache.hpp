// The display tiles a view has loaded, bounded in bytes.
//
// Tiles are kept least recently used first out once the bytes held exceed the capacity;
// tiles of the pinned level (the coarsest, a handful of tiles that the view falls back to
// anywhere) are never evicted, and their bytes count towards the total like any other.
// find() counts as a use.
//
// Stale tiles: markAllStale() keeps every tile but marks it out of date (composited with
// channel settings that changed); a view keeps drawing them, which beats falling back to
// coarser tiles, and asks for them anew. Inserting a tile makes it current again.
//
// Thread-safety: none; the view's GUI thread owns it. Errors: none.
#pragma once

#include <QImage>
#include <cstdint>
#include <list>
#include <map>

#include "gui/display_pyramid.hpp"

namespace tileflow::gui {

class DisplayCache {
public:
    explicit DisplayCache(std::int64_t capacityBytes = std::int64_t{256} << 20)
        : capacity_(capacityBytes) {}

    void setPinnedLevel(int level) { pinnedLevel_ = level; }
    void insert(const TileKey& key, const QImage& tile);
    // The tile, or nullptr; valid until the next insert() or clear().
    const QImage* find(const TileKey& key);
    bool contains(const TileKey& key) const { return entries_.contains(key); }
    // Held and not stale.
    bool isCurrent(const TileKey& key) const;
    void markAllStale();
    void clear();

    std::int64_t bytes() const { return bytes_; }
    std::int64_t capacity() const { return capacity_; }
    std::size_t size() const { return entries_.size(); }

private:
    struct Entry {
        QImage tile;
        std::list<TileKey>::iterator use;
        bool stale = false;
    };
    void evict();

    std::int64_t capacity_;
    int pinnedLevel_ = -1;
    std::int64_t bytes_ = 0;
    std::map<TileKey, Entry> entries_;
    std::list<TileKey> uses_;  // most recent first
};

}  // namespace tileflow::gui
