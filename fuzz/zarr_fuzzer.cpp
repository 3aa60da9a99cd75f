// Fuzz target: Zarr v2 array metadata and chunk decoding (detail::parseZarray and
// detail::decodeChunk, as ZarrSource uses them): .zarray validation (shape, chunks, dtype,
// order, filters, compressor, fill value, separator, limits) and the raw, zlib, gzip, zstd and
// blosc codecs, and that a decoded chunk encoded again with the array's codec (encodeChunk)
// decodes to the same samples. The input is the .zarray text, a NUL byte, then the bytes of one
// chunk file. Only tileflow::Error is an expected failure.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "io/zarr_format.hpp"
#include "tileflow/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto* text = reinterpret_cast<const char*>(data);
    const std::size_t split = static_cast<std::size_t>(std::find(text, text + size, '\0') - text);
    const std::string zarray(text, split);
    const std::byte* chunkStart = reinterpret_cast<const std::byte*>(data) + split;
    const std::vector<std::byte> chunk(chunkStart + (split < size ? 1 : 0),
                                       reinterpret_cast<const std::byte*>(data) + size);
    try {
        const tileflow::detail::ZarrArray array =
            tileflow::detail::parseZarray(zarray, "fuzz.zarr", tileflow::fuzz::fuzzLimits());
        const std::vector<std::byte> samples =
            tileflow::detail::decodeChunk(array, chunk, "fuzz.zarr/0.0");
        tileflow::fuzz::require(static_cast<std::int64_t>(samples.size()) == array.chunkBytes(),
                                "decodeChunk returns exactly one chunk");
        const std::vector<std::byte> encoded =
            tileflow::detail::encodeChunk(array.codec, array.dtype, samples.data(), samples.size());
        tileflow::fuzz::require(
            tileflow::detail::decodeChunk(array, encoded, "fuzz.zarr/0.0") == samples,
            "a chunk encoded with the array's codec decodes to the same samples");
    } catch (const tileflow::Error&) {
    }
    return 0;
}
