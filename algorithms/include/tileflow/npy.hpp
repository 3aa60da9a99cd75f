/// @file
/// NumPy .npy files as images, sources and sinks.
///
/// Format: .npy versions 1.0, 2.0 and 3.0 are read; 1.0 is written. The array must be C-ordered
/// (row-major) and little-endian with dtype `<u1`/`|u1` (u8), `<i1`/`|i1` (i8), `<u2` (u16),
/// `<i2` (i16), `<u4` (u32) or `<f4` (f32). Shapes map to images as
///   (H, W)    -> one channel of H rows and W columns,
///   (C, H, W) -> C planar channels.
/// Writing mirrors this: a one-channel image is written as (H, W), which is what numpy users
/// expect for a mask or a single plane, and any other image as (C, H, W).
///
/// Coordinates are pixels of the array, x along the last axis (W), y along H; regions follow
/// geometry.hpp.
///
/// Out-of-core: NpySource keeps the file open and reads each region with pread(), so only the
/// requested pixels are ever in memory. NpySink writes into a temporary file next to the
/// target, `<path>.tmp-<pid>-<random>`, and renames it onto `<path>` only in commit(): until
/// then an existing file at `<path>` is untouched, and abort() (or destroying an uncommitted sink)
/// removes the temporary.
///
/// Thread-safety: NpySource::read() may be called concurrently (pread has no shared file
/// offset). An NpySink is driven by one thread at a time, as the Sink contract says.
///
/// Errors: every failure throws tileflow::IoError whose message names the file and what is
/// wrong. Headers are validated completely before anything is allocated: magic, version,
/// dictionary syntax and keys, dtype, byte order, memory order, dimensionality, and that the
/// file size matches the shape exactly (so a bogus shape never leads to a large allocation).
/// Regions outside the image, views of the wrong shape and sink calls out of order (write()
/// or commit() without begin()) throw tileflow::InvalidArgument.
#pragma once

#include <string>

#include "tileflow/image.hpp"
#include "tileflow/source.hpp"

namespace tileflow {

/// Reads the whole array into memory.
Image readNpy(const std::string& path);

/// Writes `pixels` to `path` atomically (through an NpySink).
void writeNpy(const std::string& path, ConstImageView pixels);

/// Reads a `.npy` file region by region; see the file description.
class NpySource final : public Source {
public:
    /// Opens `path` and validates its header; pixels are read on demand.
    explicit NpySource(std::string path);
    ~NpySource() override;
    NpySource(const NpySource&) = delete;
    NpySource& operator=(const NpySource&) = delete;

    ImageInfo info() const override { return info_; }
    SourceMetadata metadata() const override;  ///< format "npy", one level
    void read(const Rect& region, ImageView out) const override;

    /// As given to the constructor.
    const std::string& path() const { return path_; }

private:
    std::string path_;
    int fd_ = -1;
    ImageInfo info_;
    std::int64_t dataOffset_ = 0;
};

/// Writes a `.npy` file atomically; see the file description.
class NpySink final : public Sink {
public:
    /// Will write `path`; nothing is created before begin().
    explicit NpySink(std::string path);
    ~NpySink() override;  ///< aborts when not committed
    NpySink(const NpySink&) = delete;
    NpySink& operator=(const NpySink&) = delete;

    /// Creates the temporary file, writes the header and sizes the file for all pixels. A
    /// sink that was begun and not committed is aborted first.
    void begin(const ImageInfo& info) override;
    void write(const Rect& region, ConstImageView pixels) override;
    /// Flushes the temporary to disk and renames it onto the final path.
    void commit() override;
    void abort() noexcept override;

    /// The final path, as given to the constructor.
    const std::string& path() const { return path_; }

private:
    std::string path_;
    std::string tempPath_;
    int fd_ = -1;
    ImageInfo info_;
    std::int64_t dataOffset_ = 0;
};

}  // namespace tileflow
