#include "tileflow/open.hpp"

#include <array>
#include <filesystem>
#include <fstream>

#include "ome_zarr_writer.hpp"
#include "tileflow/error.hpp"
#include "tileflow/npy.hpp"
#include "tileflow/openslide_source.hpp"
#include "tileflow/synthetic.hpp"
#include "tileflow/tiff_sink.hpp"
#include "tileflow/tiff_source.hpp"
#include "tileflow/zarr.hpp"

namespace tileflow {

namespace {

namespace fs = std::filesystem;

bool endsWith(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Classic or BigTIFF, either byte order.
bool hasTiffSignature(const std::string& path) {
    std::array<unsigned char, 4> head{};
    std::ifstream file(path, std::ios::binary);
    if (!file.read(reinterpret_cast<char*>(head.data()), head.size()))
        return false;
    const bool little =
        head[0] == 'I' && head[1] == 'I' && head[3] == 0 && (head[2] == 42 || head[2] == 43);
    const bool big =
        head[0] == 'M' && head[1] == 'M' && head[2] == 0 && (head[3] == 42 || head[3] == 43);
    return little || big;
}

// Formats of whole-slide scanners, read through OpenSlide; generic TIFFs go to our reader,
// which handles every layout and sample type.
bool isVendorSlide(const std::string& path) {
    const std::optional<std::string> vendor = OpenSlideSource::detectVendor(path);
    return vendor && *vendor != "generic-tiff";
}

}  // namespace

std::unique_ptr<Source> openSource(const std::string& name) {
    if (SyntheticSpec::matches(name))
        return std::make_unique<SyntheticSource>(SyntheticSpec::parse(name));
    if (endsWith(name, ".npy"))
        return std::make_unique<NpySource>(name);
    std::error_code error;
    if (fs::is_directory(name, error))
        return std::make_unique<ZarrSource>(name);
    if (!fs::exists(name, error))
        throw IoError("cannot open '" + name + "': no such file");
    if (fs::is_regular_file(name, error) && fs::file_size(name, error) == 0)
        throw IoError("cannot read '" + name + "': the file is empty");
    if (isVendorSlide(name))
        return std::make_unique<OpenSlideSource>(name);
    if (hasTiffSignature(name))
        return std::make_unique<TiffSource>(name);
    throw InvalidArgument("cannot read '" + name +
                          "': not a format tileflow reads (TIFF, OME-TIFF, whole-slide formats "
                          "OpenSlide reads, zarr, .npy)");
}

OmeZarrOptions omeZarrOptionsFor(const OutputSettings& settings) {
    OmeZarrOptions options;
    options.chunk = settings.tileSize;
    options.micronsPerPixel = settings.micronsPerPixel;
    options.channelNames = settings.channelNames;
    if (settings.compression)
        options.compression = detail::parseZarrCompression(*settings.compression);
    return options;
}

std::unique_ptr<Sink> createSink(const std::string& path, const OutputSettings& settings) {
    if (endsWith(path, ".npy")) {
        if (settings.compression) {
            throw InvalidArgument(".npy files are not compressed: drop the compression setting");
        }
        return std::make_unique<NpySink>(path);
    }
    if (endsWith(path, ".tif") || endsWith(path, ".tiff")) {
        TiffSinkOptions options;
        options.tileSize = settings.tileSize;
        options.micronsPerPixel = settings.micronsPerPixel;
        options.channelNames = settings.channelNames;
        if (settings.compression) {
            const auto compression = parseTiffCompression(*settings.compression);
            if (!compression) {
                throw InvalidArgument(
                    "TIFF compression must be none, deflate, zstd or jpeg, got '" +
                    *settings.compression + "'");
            }
            options.compression = *compression;
        }
        return std::make_unique<TiffSink>(path, options);
    }
    if (endsWith(path, ".zarr"))
        return std::make_unique<OmeZarrSink>(path, omeZarrOptionsFor(settings));
    throw InvalidArgument("cannot write '" + path + "': outputs are .tif/.tiff, .zarr or .npy");
}

}  // namespace tileflow
