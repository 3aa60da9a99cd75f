// libtiff plumbing for TiffSource: handles whose errors and warnings are recorded instead of
// printed, and the validated layout of one TIFF directory.
#pragma once

#include <tiffio.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tileflow/image.hpp"
#include "tileflow/limits.hpp"

namespace tileflow::detail {

// One libtiff handle with the messages its error and warning handlers recorded.
struct TiffHandle {
    TIFF* tif = nullptr;
    std::string errors;
    std::string warnings;
    std::uint64_t dirOffset = 0;  // directory selected with its settings applied; 0: none
    bool broken = false;          // a failed read leaves it out of the pool

    TiffHandle() = default;
    TiffHandle(const TiffHandle&) = delete;
    TiffHandle& operator=(const TiffHandle&) = delete;
    ~TiffHandle() {
        if (tif != nullptr)
            TIFFClose(tif);
    }
    void clearMessages() {
        errors.clear();
        warnings.clear();
    }
};

// How one TIFF directory stores its pixels.
struct TiffPlane {
    std::uint64_t offset = 0;  // IFD offset: selects the directory with TIFFSetSubDirectory
    std::uint64_t id = 0;      // cache group
    Size size;
    DType dtype = DType::U8;
    int samples = 1;   // SamplesPerPixel
    int channels = 1;  // channels this plane contributes
    bool tiled = false;
    bool separate = false;           // PlanarConfiguration separate: one tile per sample
    bool rgba = false;               // decoded through TIFFReadRGBA*; samples are bytes of RGBA
    bool jpegRgb = false;            // JPEG in YCbCr, converted to RGB by libtiff
    std::vector<int> rgbaBytes;      // for rgba: which byte of each RGBA pixel is channel i
    std::uint32_t tileWidth = 0;     // strips: the image width
    std::uint32_t tileHeight = 0;    // strips: rows per strip; raw: rows per band
    std::uint32_t rowsPerStrip = 0;  // strips: the file's rows per strip
    bool raw = false;  // uncompressed strips, read from the file in bands of tileHeight rows
    bool byteSwapped = false;  // raw: samples of 16 or 32 bits are stored in foreign order
    std::int64_t tilesAcross = 0;
    std::int64_t tilesDown = 0;
    std::int64_t tileBytes = 0;  // decoded bytes of one full tile, strip or band
    std::uint16_t compression = COMPRESSION_NONE;
    std::uint16_t photometric = PHOTOMETRIC_MINISBLACK;
    std::uint32_t subfileType = 0;
    std::vector<std::uint64_t> subIfds;

    int samplesInTile() const { return rgba ? 4 : separate ? 1 : samples; }
    bool sameKind(const TiffPlane& o) const {
        return channels == o.channels && dtype == o.dtype && samples == o.samples;
    }
};

// Opens `path` in mode "rmO" with per-handle error and warning handlers; libtiff's single
// allocations are capped by `limits`.
std::unique_ptr<TiffHandle> openTiff(const std::string& path, const ResourceLimits& limits);

// Both throw IoError "<path>: <what>"; the second appends the messages libtiff recorded on
// `h` and marks `h` broken, so that it does not go back to a pool.
[[noreturn]] void failTiff(const std::string& path, const std::string& what);
[[noreturn]] void failTiff(TiffHandle& h, const std::string& path, const std::string& what);

// Reads and validates the layout of the directory `h` has loaded; sizes over `limits` throw
// LimitError.
TiffPlane readTiffLayout(TiffHandle& h, const std::string& path, std::uint64_t id,
                         const ResourceLimits& limits);

std::string tiffCompressionName(std::uint16_t compression);

}  // namespace tileflow::detail
