// Hand-made TIFF files that claim more than they hold: a header and one directory, with tile
// or strip offsets pointing past the end of the file. They are a few hundred bytes whatever
// size they claim.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

namespace tileflow::testing {

struct TiffClaim {
    std::uint32_t width = 1000000;
    std::uint32_t height = 1000000;
    std::uint16_t samples = 8;
    std::uint16_t bits = 16;
    std::uint32_t tileWidth = 0;  // 0: stripped, one strip for the whole image
    std::uint32_t tileHeight = 0;
    std::uint16_t compression = 8;  // deflate
};

namespace detail {

inline void put16(std::string& out, std::uint32_t v) {
    out += static_cast<char>(v & 0xff);
    out += static_cast<char>((v >> 8) & 0xff);
}

inline void put32(std::string& out, std::uint32_t v) {
    put16(out, v & 0xffff);
    put16(out, v >> 16);
}

}  // namespace detail

// A little-endian classic TIFF of one directory making `claim`.
inline std::string hostileTiff(const TiffClaim& claim) {
    constexpr std::uint16_t kShort = 3;
    constexpr std::uint16_t kLong = 4;
    constexpr std::uint32_t kPastTheEnd = 1u << 30;
    struct Entry {
        std::uint16_t tag, type;
        std::uint32_t count, value;
    };
    const bool tiled = claim.tileWidth > 0;
    const auto across = tiled ? (claim.width + claim.tileWidth - 1) / claim.tileWidth : 1;
    const auto down = tiled ? (claim.height + claim.tileHeight - 1) / claim.tileHeight : 1;
    const std::uint32_t tiles = across * down;
    std::vector<Entry> entries{{256, kLong, 1, claim.width},
                               {257, kLong, 1, claim.height},
                               {258, kShort, 1, claim.bits},
                               {259, kShort, 1, claim.compression},
                               {262, kShort, 1, 1}};  // min-is-black
    if (!tiled)
        entries.push_back({273, kLong, 1, kPastTheEnd});
    entries.push_back({277, kShort, 1, claim.samples});
    if (!tiled) {
        entries.push_back({278, kLong, 1, claim.height});
        entries.push_back({279, kLong, 1, 1000});
    }
    entries.push_back({284, kShort, 1, 1});  // contiguous samples
    if (tiled) {
        entries.push_back({322, kLong, 1, claim.tileWidth});
        entries.push_back({323, kLong, 1, claim.tileHeight});
        entries.push_back({324, kLong, tiles, kPastTheEnd});
        entries.push_back({325, kLong, tiles, kPastTheEnd});
    }
    std::string out = "II*";
    out += '\0';
    detail::put32(out, 8);
    detail::put16(out, static_cast<std::uint32_t>(entries.size()));
    for (const Entry& e : entries) {
        detail::put16(out, e.tag);
        detail::put16(out, e.type);
        detail::put32(out, e.count);
        detail::put32(out, e.value);
    }
    detail::put32(out, 0);
    return out;
}

inline void writeHostileTiff(const std::string& path, const TiffClaim& claim) {
    const std::string bytes = hostileTiff(claim);
    std::ofstream(path, std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace tileflow::testing
