// Internal: the preamble of a NumPy .npy file (magic, version, header dictionary).
//
// Parsing checks everything a reader relies on before any pixel memory is allocated: the
// magic string, the version, the header length against the bytes available, the dictionary
// syntax and keys, the dtype, the memory order, the shape (2-D or 3-D, positive, no 64-bit
// overflow) and that the file holds exactly the pixel bytes the shape promises. Failures
// throw tileflow::IoError naming the file.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "tileflow/image.hpp"

namespace tileflow::detail {

// Bytes to read to be sure the fixed part of the preamble (magic, version, length) is there.
inline constexpr std::size_t kNpyFixedPreamble = 12;
// Header dictionaries longer than this are refused (numpy itself writes about 128 bytes).
inline constexpr std::uint32_t kNpyMaxHeaderBytes = 1u << 20;

struct NpyLayout {
    ImageInfo info;
    bool planar3d = false;        // shape (C, H, W); otherwise (H, W) with one channel
    std::int64_t dataOffset = 0;  // where the pixels start
};

// Length of the whole preamble (magic through header dictionary) given its first
// kNpyFixedPreamble bytes, or of as many as the file has.
std::int64_t npyPreambleLength(std::span<const char> start, std::int64_t fileSize,
                               const std::string& path);

// Parses the preamble of a file of `fileSize` bytes; `preamble` holds at least the
// npyPreambleLength() first bytes of the file.
NpyLayout parseNpyPreamble(std::span<const char> preamble, std::int64_t fileSize,
                           const std::string& path);

// A version 1.0 preamble for `info`, padded to a multiple of 64 bytes: shape (H, W) when
// the image has one channel, (C, H, W) otherwise.
std::string formatNpyPreamble(const ImageInfo& info);

}  // namespace tileflow::detail
