// Whole-slide tissue classification in hierarchical mode: a coarse pyramid level decides
// where the tissue is, and the full-resolution level is processed only in those blocks.
//
//   whole_slide [INPUT] [OUTPUT] [--size N] [--block B]
//
// INPUT: a pyramidal RGB brightfield slide (.svs .ndpi .tif ...); without it a synthetic
// N x N one (N = 4096 by default, try --size 20000) is first written to synthetic_slide.tif.
// OUTPUT (default tissue_mask.tif): the full-resolution tissue mask (u8, 255 = tissue); blocks
// of B x B pixels (default 1024) where the coarse level shows under 5% tissue are left 0 and
// never read at full resolution.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "example_args.hpp"
#include "tileflow/engine.hpp"
#include "tileflow/open.hpp"
#include "tileflow/registry.hpp"
#include "tileflow/source_views.hpp"
#include "tileflow/synthetic.hpp"
#include "tileflow/tiff_sink.hpp"

namespace {

// Blocks whose overview shows less tissue than this are not read at full resolution: a few
// stray cells are not worth it.
constexpr double kMinTissueShare = 0.05;
// The overview is the coarsest level that still has this many pixels across a block.
constexpr double kOverviewPixelsPerBlock = 8;

// The synthetic slide is fluorescence, bright nuclei on black; this source stains its nuclei
// purple on white glass, as hematoxylin does on a brightfield slide.
class SyntheticBrightfield final : public tileflow::Source {
public:
    explicit SyntheticBrightfield(std::int64_t size)
        : nuclei_({.size = {size, size}, .channels = 1, .dtype = tileflow::DType::U8}) {}
    tileflow::ImageInfo info() const override {
        return {nuclei_.info().size, 3, tileflow::DType::U8};
    }
    void read(const tileflow::Rect& region, tileflow::ImageView out) const override {
        nuclei_.read(region, out.channel(0));
        for (std::int64_t y = 0; y < region.height; ++y) {
            std::uint8_t* r = out.row<std::uint8_t>(0, y);
            std::uint8_t* g = out.row<std::uint8_t>(1, y);
            std::uint8_t* b = out.row<std::uint8_t>(2, y);
            // Light absorbed in each of red, green and blue: hematoxylin's stain vector
            // (Ruifrok and Johnston, 2001), scaled by how much stain a pixel holds.
            for (std::int64_t x = 0; x < region.width; ++x) {
                const double stain = r[x];
                r[x] = static_cast<std::uint8_t>(255 - 0.65 * stain);
                g[x] = static_cast<std::uint8_t>(255 - 0.70 * stain);
                b[x] = static_cast<std::uint8_t>(255 - 0.29 * stain);
            }
        }
    }

private:
    tileflow::SyntheticSource nuclei_;
};

}  // namespace

int main(int argc, char** argv) {
    try {
        const examples::Args args(argc, argv, {"size", "block"});
        const std::int64_t size = args.integer("size", 4096);
        const std::int64_t block = args.integer("block", 1024);
        std::string input = args.file(0, "");
        const std::string output = args.file(1, "tissue_mask.tif");
        if (input.empty()) {
            input = "synthetic_slide.tif";
            tileflow::TiffSink slide(input, {.compression = tileflow::TiffCompression::Zstd});
            tileflow::TileFlow(tileflow::createOperation("copy"))
                .run(SyntheticBrightfield(size), slide);
        }
        const std::unique_ptr<tileflow::Source> slide = tileflow::openSource(input);
        const std::vector<tileflow::SourceLevel> levels = slide->metadata().levels;
        const tileflow::TileFlow tissue(tileflow::createOperation("tissue"));

        // The overview level is small enough to read whole; its tissue mask decides.
        std::size_t coarse = 0;
        while (coarse + 1 < levels.size() &&
               levels[coarse + 1].downsample * kOverviewPixelsPerBlock <= double(block))
            ++coarse;
        const tileflow::Image overview = tissue.run(
            tileflow::readImage(tileflow::LevelSource(*slide, static_cast<int>(coarse))));

        // The share of the overview's pixels over `r` (level-0 pixels) that are tissue.
        const auto tissueShare = [&](const tileflow::Rect& r) {
            const tileflow::Rect c = levels[coarse].cover(r);
            std::int64_t n = 0;
            for (std::int64_t y = c.y; y < c.bottom(); ++y) {
                const std::uint8_t* row = overview.view().row<std::uint8_t>(0, y);
                n += std::count(row + c.x, row + c.right(), 255);
            }
            return static_cast<double>(n) / static_cast<double>(c.area());
        };

        // The output is written block by block, row by row, as the Sink contract allows.
        const tileflow::Size full = slide->info().size;
        const std::unique_ptr<tileflow::Sink> mask = tileflow::createSink(output);
        mask->begin({full, 1, tileflow::DType::U8});
        std::int64_t blocks = 0, processed = 0;
        for (std::int64_t y = 0; y < full.height; y += block) {
            for (std::int64_t x = 0; x < full.width; x += block, ++blocks) {
                const tileflow::Rect r =
                    tileflow::Rect{x, y, block, block}.intersected(tileflow::rectOf(full));
                if (tissueShare(r) < kMinTissueShare) {
                    mask->write(r, tileflow::Image::zeros({r.size(), 1, tileflow::DType::U8}));
                } else {  // the only blocks read at full resolution
                    mask->write(r,
                                tissue.run(tileflow::readImage(tileflow::RegionSource(*slide, r))));
                    ++processed;
                }
            }
        }
        mask->commit();
        std::printf("coarse level %zu (downsample %g): tissue in %lld of %lld blocks\n", coarse,
                    levels[coarse].downsample, static_cast<long long>(processed),
                    static_cast<long long>(blocks));
        std::printf("wrote %s\n", output.c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "whole_slide: %s\n", e.what());
        return 1;
    }
    return 0;
}
