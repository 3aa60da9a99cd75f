// Fuzz target: NumPy .npy files (detail::npyPreambleLength and detail::parseNpyPreamble, as
// NpySource opens a file, then tileflow::readNpy on the file when its preamble is valid):
// magic, version, header length, the header dictionary's syntax, dtype, order and shape, and
// the pixel byte count. Only tileflow::Error is an expected failure.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz_support.hpp"
#include "io/npy_header.hpp"
#include "tileflow/error.hpp"
#include "tileflow/npy.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    tileflow::setResourceLimits(tileflow::fuzz::fuzzLimits());
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const char> bytes(reinterpret_cast<const char*>(data), size);
    const auto fileSize = static_cast<std::int64_t>(size);
    try {
        const std::int64_t length = tileflow::detail::npyPreambleLength(
            bytes.first(std::min(size, tileflow::detail::kNpyFixedPreamble)), fileSize, "fuzz.npy");
        tileflow::fuzz::require(length >= 0 && length <= fileSize,
                                "the preamble lies inside the file");
        const tileflow::detail::NpyLayout layout = tileflow::detail::parseNpyPreamble(
            bytes.first(static_cast<std::size_t>(length)), fileSize, "fuzz.npy");
        tileflow::fuzz::require(layout.dataOffset + layout.info.bytes() == fileSize,
                                "the file holds exactly the pixels its shape promises");
        const tileflow::fuzz::MemoryFile file(data, size);
        const tileflow::Image image = tileflow::readNpy(file.path());
        tileflow::fuzz::require(image.info() == layout.info,
                                "readNpy reads the image the preamble describes");
    } catch (const tileflow::Error&) {
    }
    return 0;
}
