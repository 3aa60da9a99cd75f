// A custom callback: while a Gaussian denoising run goes, measure the signal-to-noise ratio
// (mean / standard deviation) of every tile before and after denoising, and list the ten
// noisiest tiles.
//
//   custom_callback [INPUT] [OUTPUT] [--size N] [--tile T]
//
// INPUT: any image (its first channel is measured); without it a synthetic N x N u16 image
// (N = 2048 by default, try --size 20000). OUTPUT (default denoised.tif) gets the smoothed
// image. T is the tile side (default 512). Prints one line per tile, noisiest first:
//   tile <col>,<row> <x>,<y> <width>x<height>: mean <m> std <s> snr <m/s> -> <snr after>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "example_args.hpp"
#include "tileflow/engine.hpp"
#include "tileflow/open.hpp"
#include "tileflow/registry.hpp"
#include "tileflow/synthetic.hpp"

namespace {

struct Moments {
    double mean = 0, deviation = 0;
    double snr() const { return deviation > 0 ? mean / deviation : INFINITY; }
};

// Mean and standard deviation of channel 0 of a view of any sample type, in one pass
// (Welford's update, which does not lose the deviation of a bright, flat tile to rounding as
// the sum of squares would).
Moments moments(tileflow::ConstImageView v) {
    double mean = 0, squares = 0;
    std::int64_t n = 0;
    tileflow::visitDType(v.dtype(), [&](auto sample) {
        using T = decltype(sample);
        for (std::int64_t y = 0; y < v.height(); ++y) {
            const T* row = v.row<T>(0, y);
            for (std::int64_t x = 0; x < v.width(); ++x) {
                const auto value = static_cast<double>(row[x]);
                const double before = value - mean;
                mean += before / static_cast<double>(++n);
                squares += before * (value - mean);
            }
        }
    });
    return {mean, n > 0 ? std::sqrt(squares / static_cast<double>(n)) : 0};
}

struct TileSnr {
    tileflow::Tile tile;
    Moments before, after;
};

// The engine shows a callback each tile's input and result. It serialises callbacks, so this
// one needs no lock of its own; the other workers wait while it runs, which is fine for one
// pass over the tile next to a Gaussian's many, but costlier analysis belongs in an operation.
class SnrCallback final : public tileflow::Callbacks {
public:
    void onTileResult(const tileflow::Tile& tile, tileflow::ConstImageView input,
                      tileflow::ConstImageView result, const tileflow::RunStats&) override {
        tiles.push_back({tile, moments(input), moments(result)});
    }
    std::vector<TileSnr> tiles;
};

}  // namespace

int main(int argc, char** argv) {
    try {
        const examples::Args args(argc, argv, {"size", "tile"});
        const std::int64_t size = args.integer("size", 2048);
        const std::int64_t tile = args.integer("tile", 512);
        const std::string input =
            args.file(0, tileflow::SyntheticSpec{.size = {size, size}, .channels = 1}.toString());
        const std::string output = args.file(1, "denoised.tif");
        const std::unique_ptr<tileflow::Source> source = tileflow::openSource(input);
        const std::unique_ptr<tileflow::Sink> sink = tileflow::createSink(output);
        const tileflow::TileFlow flow(tileflow::createOperation("gaussian", {{"sigma", "1.5"}}),
                                      {.tile = {tile, tile}});
        SnrCallback snr;
        flow.run(*source, *sink, {&snr});

        std::vector<TileSnr>& tiles = snr.tiles;
        std::sort(tiles.begin(), tiles.end(), [](const TileSnr& a, const TileSnr& b) {
            return a.before.snr() < b.before.snr();
        });
        // Not empty: the engine refuses to tile an empty image.
        std::printf("%zu tiles, median snr %.6g\n", tiles.size(),
                    tiles[tiles.size() / 2].before.snr());
        tiles.resize(std::min<std::size_t>(tiles.size(), 10));
        for (const TileSnr& t : tiles) {
            const tileflow::Rect& r = t.tile.core;
            std::printf("tile %lld,%lld %lld,%lld %lldx%lld: mean %.6g std %.6g snr %.6g -> %.6g\n",
                        static_cast<long long>(t.tile.col), static_cast<long long>(t.tile.row),
                        static_cast<long long>(r.x), static_cast<long long>(r.y),
                        static_cast<long long>(r.width), static_cast<long long>(r.height),
                        t.before.mean, t.before.deviation, t.before.snr(), t.after.snr());
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "custom_callback: %s\n", e.what());
        return 1;
    }
    return 0;
}
