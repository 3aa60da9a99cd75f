/// @file
/// A byte-bounded, thread-safe cache of decoded tiles, shared by the readers of one source.
///
/// Readers decode a file's tiles (or chunks) once and keep them here: the engine's halos and
/// neighbouring chunks read the same file tiles again and again. Entries are evicted least
/// recently used first once the bytes held exceed the capacity; a tile larger than the whole
/// capacity is handed out without being kept. Tiles are immutable and shared: a tile stays
/// valid for whoever holds it even after eviction.
///
/// Thread-safety: all members may be called concurrently. Two threads missing the same key
/// at once may both decode it; one result is kept. Errors thrown by the loader propagate to
/// the caller and nothing is cached.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace tileflow {

/// Decoded tiles by key, least recently used evicted first; see the file description.
class TileCache {
public:
    /// A decoded tile's bytes, in whatever layout its reader uses.
    using Bytes = std::vector<std::byte>;
    /// A shared, immutable decoded tile.
    using Tile = std::shared_ptr<const Bytes>;
    /// Identifies a tile within one source: typically (level or page, tile index).
    struct Key {
        std::uint64_t group = 0;  ///< e.g. the level or page
        std::uint64_t index = 0;  ///< e.g. the tile index within the group
        /// Equal when both fields are.
        friend bool operator==(const Key&, const Key&) = default;
    };

    /// Holds at most `capacityBytes` of tiles; a negative capacity throws InvalidArgument.
    explicit TileCache(std::int64_t capacityBytes = std::int64_t{64} << 20);

    /// The cached tile for `key`, or the result of load() (called without the lock held).
    Tile get(const Key& key, const std::function<Bytes()>& load);

    /// As given to the constructor.
    std::int64_t capacityBytes() const { return capacity_; }
    /// Bytes of the tiles kept now.
    std::int64_t heldBytes() const;
    /// get() calls served from the cache so far.
    std::int64_t hits() const;
    /// get() calls that had to load so far.
    std::int64_t misses() const;

private:
    struct KeyHash {
        std::size_t operator()(const Key& k) const {
            return std::hash<std::uint64_t>()(k.group * 0x9e3779b97f4a7c15ULL ^ k.index);
        }
    };
    using Lru = std::list<std::pair<Key, Tile>>;

    const std::int64_t capacity_;
    mutable std::mutex mutex_;
    Lru lru_;  // most recently used first
    std::unordered_map<Key, Lru::iterator, KeyHash> index_;
    std::int64_t held_ = 0;
    std::int64_t hits_ = 0;
    std::int64_t misses_ = 0;
};

}  // namespace tileflow
