// Internal: a run's store of reusable pixel buffers.
//
// Fresh memory is slow to touch the first time (page faults), so chunk and tile buffers are
// handed back after use and given out again to the next chunk of the same shape. The pool
// counts every byte it holds, which is what the engine reports as engine-held bytes.
// Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include "tileflow/image.hpp"

namespace tileflow::detail {

class BufferPool {
public:
    Image acquire(const ImageInfo& info);
    void release(Image image);

    std::int64_t heldBytes() const { return held_.load(); }
    std::int64_t peakBytes() const { return peak_.load(); }

private:
    std::mutex mutex_;
    std::vector<Image> free_;
    std::atomic<std::int64_t> held_{0};
    std::atomic<std::int64_t> peak_{0};
};

}  // namespace tileflow::detail
