// Internal: a run's store of reusable pixel buffers.
//
// Fresh memory is slow to touch the first time (page faults), so chunk and tile buffers go
// back to the pool when their lease ends and serve the next request that fits, whatever its
// shape. Callers ask for the capacity of the largest request of a kind (the largest chunk),
// so that smaller edge chunks and larger interior ones share the same few buffers. The pool counts
// every byte it holds, which is what the engine reports as engine-held bytes. Thread-safe;
// the pool must outlive its leases.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include "tileflow/image.hpp"

namespace tileflow::detail {

class BufferPool;

// Packed pixels of a given info, borrowed from a pool until the lease is destroyed.
class Lease {
public:
    Lease() = default;
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&& other) noexcept;
    ~Lease();

    ImageView view() const { return view_; }
    bool empty() const { return pool_ == nullptr; }
    std::int64_t bytes() const { return view_.info().bytes(); }

private:
    friend class BufferPool;
    Lease(BufferPool* pool, Image storage, const ImageInfo& info);
    void giveBack() noexcept;

    BufferPool* pool_ = nullptr;
    Image storage_;
    ImageView view_;
};

class BufferPool {
public:
    // Pixels for `info` from a buffer of at least `capacity` bytes.
    Lease acquire(const ImageInfo& info, std::int64_t capacity = 0);

    std::int64_t heldBytes() const { return held_.load(); }
    std::int64_t peakBytes() const { return peak_.load(); }

private:
    friend class Lease;
    void giveBack(Image storage) noexcept;

    std::mutex mutex_;
    std::vector<Image> free_;
    std::atomic<std::int64_t> held_{0};
    std::atomic<std::int64_t> peak_{0};
};

}  // namespace tileflow::detail
