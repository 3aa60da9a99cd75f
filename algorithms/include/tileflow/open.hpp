/// @file
/// Opening images and creating outputs by name: the one place that knows which reader or
/// writer serves which file.
///
/// openSource() accepts a synthetic slide spec "synthetic:WxHxC[:dtype][:seed]", a .npy file,
/// a zarr / OME-Zarr directory, a whole-slide file in a vendor format (OpenSlide) or any other
/// TIFF (our libtiff reader, which also reads generic tiled RGB TIFFs and OME-TIFF).
/// createSink() picks the writer from the output's extension: .tif/.tiff (pyramidal BigTIFF),
/// .zarr (OME-Zarr), .npy. Both throw
/// tileflow::InvalidArgument for names they do not serve and tileflow::IoError for files
/// that cannot be read or created, naming the file.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tileflow/source.hpp"
#include "tileflow/zarr.hpp"

namespace tileflow {

/// What an output should carry besides pixels. Writers ignore what their format cannot hold.
struct OutputSettings {
    std::optional<std::string> compression;  ///< the writer's own names; empty: its default
    std::int64_t tileSize = 512;             ///< TIFF tile or zarr chunk side
    std::optional<double> micronsPerPixel;   ///< level-0 pixel size; none: not stated
    std::vector<std::string> channelNames;   ///< empty, or one per channel
};

/// The source that reads `name` (a file, a zarr directory or a synthetic spec).
std::unique_ptr<Source> openSource(const std::string& name);
/// A new sink writing `path`, chosen by its extension; nothing is created before begin().
/// Compression names: TIFF none, deflate, zstd, jpeg; zarr none, zlib, zstd, blosc-lz4,
/// blosc-zstd; .npy none at all.
std::unique_ptr<Sink> createSink(const std::string& path, const OutputSettings& settings = {});
/// The OmeZarrSink options createSink() uses for a .zarr output with `settings`.
OmeZarrOptions omeZarrOptionsFor(const OutputSettings& settings);

}  // namespace tileflow
