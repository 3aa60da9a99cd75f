// Multispectral bands: analyse each band (fluorophore) on its own, then compute the NDVI,
// (NIR - Red) / (NIR + Red), of the red and near-infrared bands.
//
//   multispectral_ndvi [INPUT] [OUTPUT] [--size N] [--red R] [--nir I]
//
// INPUT: a multiband image, bands as channels (default order blue, green, red, near
// infrared: R = 2, I = 3); without it a synthetic N x N 4-channel u16 image (N = 2048 by
// default, try --size 20000). Prints each band's 1st and 99th percentiles and Otsu threshold
// (statistics passes only, nothing written) and writes the f32 NDVI to OUTPUT (default
// ndvi.tif).
#include <cstdio>
#include <string>
#include <vector>

#include "example_args.hpp"
#include "tileflow/engine.hpp"
#include "tileflow/open.hpp"
#include "tileflow/registry.hpp"
#include "tileflow/synthetic.hpp"

int main(int argc, char** argv) {
    try {
        const examples::Args args(argc, argv, {"size", "red", "nir"});
        const std::int64_t size = args.integer("size", 2048);
        const std::string red = args.text("red", "2"), nir = args.text("nir", "3");
        const std::string input =
            args.file(0, tileflow::SyntheticSpec{.size = {size, size}, .channels = 4}.toString());
        const std::string output = args.file(1, "ndvi.tif");
        const std::unique_ptr<tileflow::Source> bands = tileflow::openSource(input);
        const std::vector<std::string> names = bands->metadata().channelNames;

        // Band by band: the statistics of an operation are available without running it,
        // so these figures cost one read of the image each and write nothing.
        const auto stretch = tileflow::createOperation("stretch", {{"low", "1"}, {"high", "99"}});
        const auto otsu = tileflow::createOperation("threshold", {{"method", "otsu"}});
        const std::vector<tileflow::Measurement> percentiles =
            stretch->measurements(tileflow::TileFlow(stretch).gatherStatistics(*bands));
        const std::vector<tileflow::Measurement> thresholds =
            otsu->measurements(tileflow::TileFlow(otsu).gatherStatistics(*bands));
        for (int c = 0; c < bands->info().channels; ++c) {
            const std::string n = std::to_string(c);
            std::printf("band %d (%s): p1 %g, p99 %g, otsu %g\n", c,
                        names[static_cast<std::size_t>(c)].c_str(),
                        tileflow::findMeasurement(percentiles, "low_c" + n).value(),
                        tileflow::findMeasurement(percentiles, "high_c" + n).value(),
                        tileflow::findMeasurement(thresholds, "threshold_c" + n).value());
        }

        // The ratio operation computes (a - b) / (a + b) pixel by pixel.
        const tileflow::TileFlow ndvi(tileflow::createOperation("ratio", {{"a", nir}, {"b", red}}),
                                      {.tile = {1024, 1024}});
        const std::unique_ptr<tileflow::Sink> sink = tileflow::createSink(output);
        const tileflow::RunReport report = ndvi.run(*bands, *sink);
        std::printf("ndvi = (band %s - band %s) / (band %s + band %s): wrote %s in %.2f s\n",
                    nir.c_str(), red.c_str(), nir.c_str(), red.c_str(), output.c_str(),
                    report.stats.elapsedSeconds);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "multispectral_ndvi: %s\n", e.what());
        return 1;
    }
    return 0;
}
