// Internal: whole reads and writes at an offset, retrying short transfers and EINTR.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tileflow::detail {

// Reads exactly `size` bytes at `offset`. False when the file ends first (err = 0) or on an
// error (err = errno).
bool preadFully(int fd, void* buffer, std::size_t size, std::int64_t offset, int& err);
// Writes all `size` bytes at `offset`. False on an error (err = errno).
bool pwriteFully(int fd, const void* buffer, std::size_t size, std::int64_t offset, int& err);

// Asks the kernel to start writing `fd`'s dirty pages in [offset, offset + size) to disk
// now, without waiting. Writers
// of big files call it every few tens of MiB so the disk works while the CPU computes and
// the final fsync finds little left. A write-back error is not lost: fsync reports it.
void startWriteback(int fd, std::int64_t offset, std::int64_t size) noexcept;

}  // namespace tileflow::detail
