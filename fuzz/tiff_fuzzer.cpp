// Fuzz target: TIFF files read by tileflow::TiffSource (directory parsing, OME-XML, pyramid
// levels from SubIFDs or reduced-resolution pages, every codec libtiff decodes, stripped and
// tiled, contiguous and planar). The input is the whole file; the target opens it, checks the
// promises of its metadata (level 0 is info(), levels sorted, one name per channel) and decodes
// regions at the top left, at the centre and at the bottom right corner (edge tiles) of level 0,
// and at the top left of the smallest level. Only tileflow::Error is an expected failure.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "tileflow/error.hpp"
#include "tileflow/image.hpp"
#include "tileflow/tiff_source.hpp"

namespace {

constexpr std::int64_t kRegionSide = 256;

void readRegion(const tileflow::TiffSource& source, int level, tileflow::Size levelSize,
                std::int64_t x, std::int64_t y) {
    const tileflow::ImageInfo info = source.info();
    const tileflow::Rect region{x, y, std::min(kRegionSide, levelSize.width - x),
                                std::min(kRegionSide, levelSize.height - y)};
    tileflow::Image pixels(info.dtype, info.channels, region.width, region.height);
    source.readLevel(level, region, pixels.view());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    tileflow::setResourceLimits(tileflow::fuzz::fuzzLimits());
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const tileflow::fuzz::MemoryFile file(data, size);
    try {
        const tileflow::TiffSource source(file.path(), std::int64_t{16} << 20);
        const tileflow::SourceMetadata metadata = source.metadata();
        const tileflow::Size size0 = metadata.levels.front().size;
        tileflow::fuzz::require(size0 == source.info().size,
                                "level 0 is the image info() describes");
        tileflow::fuzz::require(
            metadata.channelNames.size() == static_cast<std::size_t>(source.info().channels),
            "one channel name per channel");
        for (std::size_t i = 1; i < metadata.levels.size(); ++i) {
            tileflow::fuzz::require(
                metadata.levels[i].size.area() <= metadata.levels[i - 1].size.area(),
                "levels are sorted from the largest");
        }
        readRegion(source, 0, size0, 0, 0);
        readRegion(source, 0, size0, size0.width / 2, size0.height / 2);
        readRegion(source, 0, size0, std::max<std::int64_t>(0, size0.width - 7),
                   std::max<std::int64_t>(0, size0.height - 5));
        const int last = static_cast<int>(metadata.levels.size()) - 1;
        if (last > 0)
            readRegion(source, last, metadata.levels.back().size, 0, 0);
    } catch (const tileflow::Error&) {
    }
    return 0;
}
