/// @file
/// A byte-bounded, thread-safe cache of finished result tiles, shared by the jobs of one image.
///
/// Keys name a tile by the operation key (the operation id and its canonical parameters, as
/// the caller spells them), the pyramid level and the tile's rectangle in that level's
/// pixels. Since the source is not part of the key, use one cache per image. Tiles are
/// immutable and shared: a tile stays valid for whoever holds it after eviction. Entries are
/// evicted least recently used first once the held bytes exceed the capacity; a tile larger
/// than the capacity is not kept.
///
/// Thread-safety: every member may be called from any thread at any time.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "tileflow/image.hpp"

namespace tileflow::plugin {

/// Result tiles by key, least recently used evicted first; see the file description.
class ResultCache {
public:
    /// Names one result tile.
    struct Key {
        std::string operation;  ///< the operation key: id and canonical parameters
        int level = 0;          ///< pyramid level, 0: full resolution
        Rect rect;              ///< in the level's pixels
        /// Equal when every field is.
        friend bool operator==(const Key&, const Key&) = default;
    };
    /// A shared, immutable result tile.
    using Tile = std::shared_ptr<const Image>;

    /// 128 MiB.
    static constexpr std::int64_t kDefaultCapacity = std::int64_t{128} << 20;

    /// Holds at most `capacityBytes` of tiles (Image::bytes()).
    explicit ResultCache(std::int64_t capacityBytes = kDefaultCapacity);

    /// The tile, marked as most recently used; null when absent.
    Tile find(const Key& key);
    /// Keeps `tile` under `key`, replacing what was there, and evicts to fit.
    void insert(const Key& key, Tile tile);
    /// Drops every tile.
    void clear();

    /// As given to the constructor.
    std::int64_t capacityBytes() const { return capacity_; }
    /// Bytes of the tiles kept now.
    std::int64_t heldBytes() const;

private:
    struct KeyHash {
        std::size_t operator()(const Key& k) const;
    };
    using Lru = std::list<std::pair<Key, Tile>>;

    void erase(Lru::iterator entry);

    const std::int64_t capacity_;
    mutable std::mutex mutex_;
    Lru lru_;  // most recently used first
    std::unordered_map<Key, Lru::iterator, KeyHash> index_;
    std::int64_t held_ = 0;
};

}  // namespace tileflow::plugin
