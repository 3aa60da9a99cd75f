// Zarr v2 array metadata and chunk codecs, shared by ZarrSource and OmeZarrSink.
//
// Private to the library. parseZarray() validates a .zarray document completely (format,
// shape, chunks, dtype, order, filters, compressor, fill value, separator, size limits)
// before anything is allocated; decodeChunk() turns a chunk file's bytes into exactly one
// chunk of samples or throws. All failures are tileflow::IoError naming the store (LimitError
// for a chunk over the resource limits).
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tileflow/image.hpp"
#include "tileflow/limits.hpp"

namespace tileflow::detail {

// OmeZarrSink writes chunks of at most 4 times this across all channels. Chunks that are read
// are checked against ResourceLimits::maxTileBytes instead.
inline constexpr std::int64_t kZarrMaxChunkBytes = std::int64_t{512} << 20;
// A whole array may claim at most this many bytes (it is never read whole).
inline constexpr std::int64_t kZarrMaxArrayBytes = std::int64_t{1} << 50;

enum class ZarrCodecKind { None, Zlib, Gzip, Zstd, Blosc };

struct ZarrCodec {
    ZarrCodecKind kind = ZarrCodecKind::None;
    int level = 1;          // zlib, gzip, zstd level; blosc clevel
    std::string bloscName;  // blosc inner codec: "lz4", "zstd", "blosclz", "zlib", ...
    int bloscShuffle = 1;   // 0 none, 1 byte, 2 bit (blosc records it in each chunk too)
};

struct ZarrArray {
    std::vector<std::int64_t> shape;
    std::vector<std::int64_t> chunks;
    DType dtype = DType::U8;
    ZarrCodec codec;
    std::vector<std::byte> fill;  // one sample of the fill value
    char separator = '.';

    std::int64_t chunkElements() const;  // product of chunks
    std::int64_t chunkBytes() const {
        return chunkElements() * std::int64_t(bytesPerSample(dtype));
    }
};

// Reads and validates `<arrayDir>/.zarray`. `store` names the store in messages. A chunk over
// `limits` (maxTileBytes, maxMemoryBytes) throws LimitError.
ZarrArray readZarray(const std::string& arrayDir, const std::string& store,
                     const ResourceLimits& limits);
ZarrArray parseZarray(const std::string& text, const std::string& where,
                      const ResourceLimits& limits);

// The .zarray document of a C-ordered array without filters.
nlohmann::json zarrayJson(const ZarrArray& array);
// The numcodecs configuration of a codec (null for None).
nlohmann::json codecJson(const ZarrCodec& codec);
// "<u2", "|u1", "<f4", ...
std::string zarrDTypeCode(DType dtype);

// Decodes one chunk file into exactly array.chunkBytes() bytes; throws IoError naming `where`
// when the data is corrupt or decodes to a different size.
std::vector<std::byte> decodeChunk(const ZarrArray& array, const std::vector<std::byte>& stored,
                                   const std::string& where);
// Encodes `size` bytes of samples of `dtype` with `codec`.
std::vector<std::byte> encodeChunk(const ZarrCodec& codec, DType dtype, const std::byte* data,
                                   std::size_t size);

// Reads a small metadata file (at most 64 MiB) into `text`; false when it does not exist.
bool readMetadataFile(const std::string& path, const std::string& store, std::string& text);

// What a JSON parse or access error says, without nlohmann's "[json.exception.<id>] " prefix.
std::string jsonProblem(const nlohmann::json::exception& error);

}  // namespace tileflow::detail
