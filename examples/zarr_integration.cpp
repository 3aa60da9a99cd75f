// Zarr datasets processed channel by channel: open an OME-Zarr (or plain zarr) store, smooth
// each channel on its own and write each result as an OME-Zarr store with its pyramid.
//
//   zarr_integration [INPUT.zarr] [OUTPUT_DIR] [--size N] [--sigma S]
//
// Writes OUTPUT_DIR/channel-<c>.zarr (default OUTPUT_DIR: zarr_out), one f32 channel each,
// Gaussian-smoothed with sigma S (default 2), keeping the channel name and pixel size.
// Without INPUT a synthetic N x N 3-channel u16 slide (N = 2048 by default, try
// --size 20000) is first converted to OUTPUT_DIR/synthetic.zarr, and that store is processed.
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "example_args.hpp"
#include "tileflow/engine.hpp"
#include "tileflow/registry.hpp"
#include "tileflow/source_views.hpp"
#include "tileflow/synthetic.hpp"
#include "tileflow/zarr.hpp"

int main(int argc, char** argv) {
    try {
        const examples::Args args(argc, argv, {"size", "sigma"});
        const std::int64_t size = args.integer("size", 2048);
        const std::string sigma = args.text("sigma", "2");
        const std::filesystem::path outDir = args.file(1, "zarr_out");
        std::filesystem::create_directories(outDir);
        std::string input = args.file(0, "");
        if (input.empty()) {
            // Any source can be written as OME-Zarr: the "copy" operation streams it through.
            const tileflow::SyntheticSource synthetic({.size = {size, size}, .channels = 3});
            input = (outDir / "synthetic.zarr").string();
            tileflow::OmeZarrSink store(input, {.channelNames = synthetic.metadata().channelNames});
            tileflow::TileFlow(tileflow::createOperation("copy")).run(synthetic, store);
        }

        const tileflow::ZarrSource zarr(input);
        const tileflow::SourceMetadata metadata = zarr.metadata();
        std::printf("%s: %s, %zu level(s), %d channel(s)\n", input.c_str(), metadata.format.c_str(),
                    metadata.levels.size(), zarr.info().channels);

        const tileflow::TileFlow smooth(tileflow::createOperation("gaussian", {{"sigma", sigma}}));
        for (int c = 0; c < zarr.info().channels; ++c) {
            const std::string& name = metadata.channelNames[static_cast<std::size_t>(c)];
            const std::string path = (outDir / ("channel-" + std::to_string(c) + ".zarr")).string();
            // The run sees channel c alone (ChannelSource reads the others and drops them).
            const tileflow::ChannelSource channel(zarr, {c});
            tileflow::OmeZarrSink out(
                path, {.channelNames = {name}, .micronsPerPixel = metadata.micronsPerPixel});
            const tileflow::RunReport report = smooth.run(channel, out);
            std::printf("channel %d (%s): %.2f s -> %s\n", c, name.c_str(),
                        report.stats.elapsedSeconds, path.c_str());
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "zarr_integration: %s\n", e.what());
        return 1;
    }
    return 0;
}
