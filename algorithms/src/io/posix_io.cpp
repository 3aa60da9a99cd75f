#include "posix_io.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace tileflow::detail {

bool preadFully(int fd, void* buffer, std::size_t size, std::int64_t offset, int& err) {
    auto* out = static_cast<char*>(buffer);
    while (size > 0) {
        const ssize_t n = ::pread(fd, out, size, static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            err = n < 0 ? errno : 0;
            return false;
        }
        out += n;
        size -= static_cast<std::size_t>(n);
        offset += n;
    }
    return true;
}

bool pwriteFully(int fd, const void* buffer, std::size_t size, std::int64_t offset, int& err) {
    const auto* in = static_cast<const char*>(buffer);
    while (size > 0) {
        const ssize_t n = ::pwrite(fd, in, size, static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            err = errno;
            return false;
        }
        in += n;
        size -= static_cast<std::size_t>(n);
        offset += n;
    }
    return true;
}

void startWriteback(int fd, std::int64_t offset, std::int64_t size) noexcept {
    ::sync_file_range(fd, offset, size, SYNC_FILE_RANGE_WRITE);
}

}  // namespace tileflow::detail
