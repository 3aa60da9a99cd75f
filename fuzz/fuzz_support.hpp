// Shared by the fuzz targets: resource limits, an in-memory file for readers that take a
// path, and the check that turns a broken promise of the library into a crash.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "tileflow/limits.hpp"

namespace tileflow::fuzz {

// Tight enough that no input can make the library allocate more than a few hundred MiB, so
// libFuzzer's -rss_limit_mb flags only real leaks and unchecked allocations.
inline ResourceLimits fuzzLimits() {
    ResourceLimits limits;
    limits.maxPixels = std::int64_t{1} << 32;
    limits.maxChannels = 64;
    // Small enough that ASan's allocator, zero-filling and quarantining every tile, stays far
    // below the time-out: a 308-byte TIFF claiming 33 MB rows took 15 s under ASan at 64 MiB.
    limits.maxTileBytes = std::int64_t{8} << 20;
    limits.maxMemoryBytes = std::int64_t{256} << 20;
    return limits;
}

// Aborts, so that libFuzzer keeps the input, when a promise of the library does not hold.
inline void require(bool holds, const char* promise) {
    if (!holds) {
        std::fprintf(stderr, "broken promise: %s\n", promise);
        std::abort();
    }
}

// An anonymous in-memory file (memfd) holding a fuzz input.
class MemoryFile {
public:
    MemoryFile(const std::uint8_t* data, std::size_t size) : fd_(::memfd_create("fuzz", 0)) {
        if (fd_ < 0)
            throw std::runtime_error("memfd_create failed");
        for (std::size_t done = 0; done < size;) {
            const ssize_t n = ::write(fd_, data + done, size - done);
            if (n <= 0) {
                ::close(fd_);
                throw std::runtime_error("writing the memfd failed");
            }
            done += static_cast<std::size_t>(n);
        }
    }
    ~MemoryFile() { ::close(fd_); }
    MemoryFile(const MemoryFile&) = delete;
    MemoryFile& operator=(const MemoryFile&) = delete;

    // A path that opens the file again, from this process only.
    std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

private:
    int fd_;
};

}  // namespace tileflow::fuzz
