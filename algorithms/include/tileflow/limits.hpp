/// @file
/// Resource limits: how much a file may claim before TileFlow allocates anything for it.
///
/// Files say how large they are (image size, channels, tile or chunk size), and a truncated,
/// corrupt or hostile file can claim terabytes. Every reader checks those claims against the
/// process-wide ResourceLimits *before* allocating, and so do the whole-image helpers
/// (readImage, readNpy, MemorySink) and the engine's chunk buffers. The limits are in the style
/// of OpenImageIO's global "limits:*" attributes:
///
/// @verbatim
///   maxPixels       pixels (width x height) of one resolution level; default 2^40
///   maxChannels     channels of an image; default 4096
///   maxTileBytes    bytes of one decoded tile, strip, row band or chunk; default 256 MiB
///   maxMemoryBytes  bytes of one allocation sized by a file (a tile, an associated image, a
///                   whole image read into memory, the engine's chunk buffers); default half
///                   the physical memory, at least 1 GiB. The command line sets it with
///                   --max-memory.
/// @endverbatim
///
/// Sources copy the limits when they are opened: changing them affects sources opened later.
///
/// Thread-safety: resourceLimits() and setResourceLimits() may be called from any thread.
///
/// Errors: a claim over a limit throws tileflow::LimitError naming what claims it, the amount,
/// the limit and how to raise it. setResourceLimits() throws InvalidArgument for values that
/// are not positive or a memory limit below 1 MiB; parseByteSize() never throws.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tileflow {

/// The smallest maxMemoryBytes setResourceLimits() accepts.
inline constexpr std::int64_t kMinMaxMemoryBytes = std::int64_t{1} << 20;

/// Half the physical memory, at least 1 GiB.
std::int64_t defaultMaxMemoryBytes();

/// How much a file may claim; see the file description.
///
/// Each check throws LimitError `"<what> ..."` when the claim is over its limit. `what` names the
/// file and the part of it that claims the amount, e.g. "slide.tif: directory at offset 8".
struct ResourceLimits {
    /// Pixels (width x height) of one resolution level.
    std::int64_t maxPixels = std::int64_t{1} << 40;
    /// Channels of an image.
    int maxChannels = 4096;
    /// Bytes of one decoded tile, strip, row band or chunk.
    std::int64_t maxTileBytes = std::int64_t{256} << 20;
    /// Bytes of one allocation sized by a file.
    std::int64_t maxMemoryBytes = defaultMaxMemoryBytes();

    /// `width` x `height` pixels of one level: against maxPixels.
    void checkPixels(std::string_view what, std::int64_t width, std::int64_t height) const;
    /// `channels` of an image: against maxChannels.
    void checkChannels(std::string_view what, std::int64_t channels) const;
    /// One decoded tile of `bytes`: against maxTileBytes, then maxMemoryBytes. `unit` names
    /// it in the message ("tile", "strip", "chunk").
    void checkTile(std::string_view what, std::string_view unit, std::int64_t bytes) const;
    /// One allocation of `bytes`: against maxMemoryBytes.
    void checkMemory(std::string_view what, std::int64_t bytes) const;
};

/// The limits in force for the process.
ResourceLimits resourceLimits();
/// Replaces the limits for the process; sources opened before keep theirs.
void setResourceLimits(const ResourceLimits& limits);

/// "1048576", "512K", "512M", "4G", "1T" (binary units; an optional "B" or "iB" after the unit,
/// any case): the number of bytes, or nullopt when the text is not such a size or overflows.
std::optional<std::int64_t> parseByteSize(std::string_view text);
/// "512 bytes", "64 MiB", "14.6 TiB".
std::string formatByteSize(std::int64_t bytes);

}  // namespace tileflow
