// Basic contrast enhancement: stretch an image so that its 1st percentile becomes 0 and its
// 99th becomes 1, tile by tile, streamed from the input file to the output file.
//
//   basic_usage [INPUT] [OUTPUT] [--size N]
//
// INPUT is any image TileFlow reads (.tif .svs .zarr .npy ...); without it a synthetic
// N x N one-channel u16 fluorescence image is used (N = 2048 by default, try --size 20000).
// OUTPUT (.tif, .zarr or .npy; default stretched.tif) receives the f32 result in [0, 1].
#include <cstdio>
#include <string>
#include <vector>

#include "example_args.hpp"
#include "tileflow/engine.hpp"
#include "tileflow/monitors.hpp"
#include "tileflow/open.hpp"
#include "tileflow/registry.hpp"
#include "tileflow/synthetic.hpp"

int main(int argc, char** argv) {
    try {
        const examples::Args args(argc, argv, {"size"});
        const std::int64_t size = args.integer("size", 2048);
        const std::string input =
            args.file(0, tileflow::SyntheticSpec{.size = {size, size}, .channels = 1}.toString());
        const std::string output = args.file(1, "stretched.tif");
        // Sources read regions on demand, so the image never has to fit in memory.
        const std::unique_ptr<tileflow::Source> source = tileflow::openSource(input);
        const tileflow::ImageInfo info = source->info();
        std::printf("input %s: %lld x %lld, %d channel(s), %s\n", input.c_str(),
                    static_cast<long long>(info.size.width),
                    static_cast<long long>(info.size.height), info.channels,
                    std::string(tileflow::dtypeName(info.dtype)).c_str());

        // The percentiles are global: the engine reads every tile once for the histogram,
        // then stretches tile by tile, so there are no block seams.
        const tileflow::TileFlow flow(
            tileflow::createOperation("stretch", {{"low", "1"}, {"high", "99"}}),
            {.tile = {512, 512}});

        const std::unique_ptr<tileflow::Sink> sink = tileflow::createSink(output);
        tileflow::ProgressMonitor progress(
            "stretch", [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); });
        const tileflow::RunReport report = flow.run(*source, *sink, {&progress});

        for (int c = 0; c < info.channels; ++c) {
            const std::string n = std::to_string(c);
            std::printf("channel %d: [%g, %g] -> [0, 1]\n", c,
                        report.measurement("low_c" + n).value(),
                        report.measurement("high_c" + n).value());
        }
        std::printf("wrote %s in %.2f s\n", output.c_str(), report.stats.elapsedSeconds);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "basic_usage: %s\n", e.what());
        return 1;
    }
    return 0;
}
