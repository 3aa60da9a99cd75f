// Internal: turns one tile of pixels into the bytes TiffSink stores for it.
//
// A tile is tileSize x tileSize samples; an edge tile whose pixels stop early is padded
// with zeros. Planar images give one encoded plane per channel; interleaved ones (u8 RGB)
// give one plane of R, G, B triplets. Deflate (zlib stream, libdeflate) and zstd compress
// here; "none" and JPEG return the packed samples (libtiff encodes JPEG itself).
//
// Thread-safety: encode() is const and keeps its compressor and scratch state per thread,
// so any number of threads may encode tiles at once.
// Errors: a compressor that cannot be created or fails throws tileflow::IoError.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "tileflow/image.hpp"
#include "tileflow/tiff_sink.hpp"

namespace tileflow::detail {

class TiffTileEncoder {
public:
    TiffTileEncoder(const TiffSinkOptions& options, DType dtype, bool interleaved);

    // Encodes `pixels` (at most tileSize x tileSize, the tile's top-left corner first) into
    // `planes`, resized to the number of planes; their previous capacity is reused.
    void encode(ConstImageView pixels, std::vector<std::vector<std::byte>>& planes) const;

private:
    void pack(ConstImageView pixels, int plane, std::vector<std::byte>& packed) const;
    void compress(const std::vector<std::byte>& packed, std::vector<std::byte>& out) const;

    TiffSinkOptions options_;
    std::int64_t sampleBytes_ = 1;
    bool interleaved_ = false;
};

}  // namespace tileflow::detail
