// A nuclei segmentation pipeline class: smooth the nuclear channel, threshold it (Otsu over
// the whole slide), write the mask and count the nuclei exactly across tile borders.
//
//   nuclei_pipeline [INPUT] [OUTPUT] [--size N] [--channel C] [--sigma S]
//
// INPUT: any image with a nuclear stain in channel C (default 0); without it a synthetic
// N x N 4-channel u16 slide (N = 2048 by default, try --size 20000). OUTPUT (default
// nuclei_mask.tif) receives the u8 mask, 255 on nuclei. S is the smoothing sigma (default 2).
#include <cstdio>
#include <string>
#include <vector>

#include "example_args.hpp"
#include "tileflow/engine.hpp"
#include "tileflow/open.hpp"
#include "tileflow/registry.hpp"
#include "tileflow/synthetic.hpp"

namespace {

// Configured once, then run on as many slides as needed (also from several threads: run()
// is const and the engine is immutable once configured).
class NucleiPipeline {
public:
    struct Result {
        std::int64_t nuclei = 0;
        double threshold = 0;  // in the input's units
        double seconds = 0;
    };

    NucleiPipeline(int channel, double sigma)
        : flow_(tileflow::createOperation("nuclei", {{"channel", std::to_string(channel)},
                                                     {"sigma", std::to_string(sigma)}}),
                {.tile = {512, 512}}) {}

    Result run(const tileflow::Source& slide, tileflow::Sink& mask) const {
        const tileflow::RunReport report = flow_.run(slide, mask);
        return {static_cast<std::int64_t>(report.measurement("nuclei_count").value()),
                report.measurement("nuclei_threshold").value(), report.stats.elapsedSeconds};
    }

private:
    tileflow::TileFlow flow_;
};

}  // namespace

int main(int argc, char** argv) {
    try {
        const examples::Args args(argc, argv, {"size", "channel", "sigma"});
        const std::int64_t size = args.integer("size", 2048);
        const auto channel = static_cast<int>(args.integer("channel", 0, 0));
        const double sigma = args.positive("sigma", 2);
        const std::string input =
            args.file(0, tileflow::SyntheticSpec{.size = {size, size}, .channels = 4}.toString());
        const std::string output = args.file(1, "nuclei_mask.tif");
        const NucleiPipeline pipeline(channel, sigma);
        const std::unique_ptr<tileflow::Source> slide = tileflow::openSource(input);
        const std::unique_ptr<tileflow::Sink> mask = tileflow::createSink(output);
        const NucleiPipeline::Result result = pipeline.run(*slide, *mask);

        const auto pixels = static_cast<double>(slide->info().size.area());
        std::printf("nuclei: %lld\n", static_cast<long long>(result.nuclei));
        std::printf("threshold: %g\n", result.threshold);
        std::printf("density: %.1f nuclei per megapixel\n",
                    static_cast<double>(result.nuclei) / (pixels / 1e6));
        if (const auto um = slide->metadata().micronsPerPixel) {
            const double mm2 = pixels * *um * *um / 1e6;  // 1 mm^2 = 10^6 um^2
            std::printf("density: %.0f nuclei per mm^2\n",
                        static_cast<double>(result.nuclei) / mm2);
        }
        std::printf("wrote %s in %.2f s\n", output.c_str(), result.seconds);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "nuclei_pipeline: %s\n", e.what());
        return 1;
    }
    return 0;
}
