#include "tiff_tile_encoder.hpp"

#include <libdeflate.h>
#include <zstd.h>

#include <cstring>
#include <string>

#include "tileflow/error.hpp"

namespace tileflow::detail {

namespace {

// Compressor state reused by each thread across tiles (and sinks).
struct Compressors {
    libdeflate_compressor* deflate = nullptr;
    int deflateLevel = 0;
    ZSTD_CCtx* zstd = nullptr;
    std::vector<std::byte> packed;  // scratch for a tile plane about to be compressed

    Compressors() = default;
    Compressors(const Compressors&) = delete;
    Compressors& operator=(const Compressors&) = delete;
    ~Compressors() {
        libdeflate_free_compressor(deflate);
        ZSTD_freeCCtx(zstd);
    }
    libdeflate_compressor* deflater(int level) {
        if (deflate == nullptr || deflateLevel != level) {
            libdeflate_free_compressor(deflate);
            deflate = libdeflate_alloc_compressor(level);
            deflateLevel = level;
        }
        if (deflate == nullptr)
            throw IoError("cannot allocate a deflate compressor");
        return deflate;
    }
    ZSTD_CCtx* zstdContext() {
        if (zstd == nullptr)
            zstd = ZSTD_createCCtx();
        if (zstd == nullptr)
            throw IoError("cannot allocate a zstd compressor");
        return zstd;
    }
};

Compressors& threadCompressors() {
    thread_local Compressors compressors;
    return compressors;
}

}  // namespace

TiffTileEncoder::TiffTileEncoder(const TiffSinkOptions& options, DType dtype, bool interleaved)
    : options_(options),
      sampleBytes_(static_cast<std::int64_t>(bytesPerSample(dtype))),
      interleaved_(interleaved) {}

void TiffTileEncoder::encode(ConstImageView pixels,
                             std::vector<std::vector<std::byte>>& planes) const {
    const int count = interleaved_ ? 1 : pixels.channels();
    planes.resize(static_cast<std::size_t>(count));
    const bool raw = options_.compression == TiffCompression::None ||
                     options_.compression == TiffCompression::Jpeg;
    for (int p = 0; p < count; ++p) {
        std::vector<std::byte>& out = planes[static_cast<std::size_t>(p)];
        if (raw) {
            pack(pixels, p, out);
        } else {
            std::vector<std::byte>& packed = threadCompressors().packed;
            pack(pixels, p, packed);
            compress(packed, out);
        }
    }
}

void TiffTileEncoder::pack(ConstImageView pixels, int plane, std::vector<std::byte>& packed) const {
    const std::int64_t tile = options_.tileSize;
    const int samples = interleaved_ ? pixels.channels() : 1;
    const std::int64_t pixelBytes = samples * sampleBytes_;
    const std::int64_t rowBytes = tile * pixelBytes;
    packed.resize(static_cast<std::size_t>(rowBytes * tile));
    if (pixels.width() < tile || pixels.height() < tile)
        std::memset(packed.data(), 0, packed.size());
    for (std::int64_t y = 0; y < pixels.height(); ++y) {
        std::byte* to = packed.data() + y * rowBytes;
        if (!interleaved_) {
            std::memcpy(to, pixels.row<std::byte>(plane, y),
                        static_cast<std::size_t>(pixels.width() * sampleBytes_));
            continue;
        }
        for (int c = 0; c < samples; ++c) {
            const std::byte* from = pixels.row<std::byte>(c, y);
            for (std::int64_t x = 0; x < pixels.width(); ++x) {
                for (std::int64_t b = 0; b < sampleBytes_; ++b)
                    to[x * pixelBytes + c * sampleBytes_ + b] = from[x * sampleBytes_ + b];
            }
        }
    }
}

void TiffTileEncoder::compress(const std::vector<std::byte>& packed,
                               std::vector<std::byte>& out) const {
    Compressors& compressors = threadCompressors();
    if (options_.compression == TiffCompression::Deflate) {
        libdeflate_compressor* deflater = compressors.deflater(options_.deflateLevel);
        out.resize(libdeflate_zlib_compress_bound(deflater, packed.size()));
        const std::size_t size = libdeflate_zlib_compress(deflater, packed.data(), packed.size(),
                                                          out.data(), out.size());
        if (size == 0)
            throw IoError("deflate compression failed");
        out.resize(size);
        return;
    }
    out.resize(ZSTD_compressBound(packed.size()));
    const std::size_t size = ZSTD_compressCCtx(compressors.zstdContext(), out.data(), out.size(),
                                               packed.data(), packed.size(), options_.zstdLevel);
    if (ZSTD_isError(size) != 0u)
        throw IoError(std::string("zstd compression failed: ") + ZSTD_getErrorName(size));
    out.resize(size);
}

}  // namespace tileflow::detail
