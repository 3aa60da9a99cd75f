#include "tileflow/region_run.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <memory>
#include <utility>

#include "tileflow/error.hpp"
#include "tileflow/source_views.hpp"

namespace tileflow {

namespace {

std::string rectText(const Rect& r) {
    return std::to_string(r.width) + "x" + std::to_string(r.height) + "+" + std::to_string(r.x) +
           "+" + std::to_string(r.y);
}

// The wrapped operation with its statistics already gathered over the whole image: a run over
// part of the image must not compute statistics of that part.
class GatheredStatistics final : public Operation {
public:
    GatheredStatistics(std::shared_ptr<const Operation> operation,
                       std::shared_ptr<const StatisticsList> statistics)
        : operation_(std::move(operation)), statistics_(std::move(statistics)) {}

    std::string_view id() const override { return operation_->id(); }
    int radius() const override { return operation_->radius(); }
    ImageInfo outputInfo(const ImageInfo& input) const override {
        return operation_->outputInfo(input);
    }
    void process(ConstImageView in, const Rect& inRect, ImageView out, const Rect& outRect,
                 const StatisticsList&) const override {
        operation_->process(in, inRect, out, outRect, *statistics_);
    }

private:
    std::shared_ptr<const Operation> operation_;
    std::shared_ptr<const StatisticsList> statistics_;
};

// What a run over a context rectangle writes, cut down to the region it serves and moved to
// the coordinates of the whole image. begin() and commit() belong to the whole, not to this.
class RegionSink final : public Sink {
public:
    RegionSink(Sink& whole, const Rect& context, const Rect& region)
        : whole_(whole), context_(context), region_(region) {}
    void begin(const ImageInfo&) override {}
    void write(const Rect& r, ConstImageView pixels) override {
        const Rect inImage{r.x + context_.x, r.y + context_.y, r.width, r.height};
        const Rect kept = inImage.intersected(region_);
        if (!kept.empty())
            whole_.write(kept, pixels.region(kept.relativeTo(inImage)));
    }
    void commit() override {}
    void abort() noexcept override {}

private:
    Sink& whole_;
    Rect context_, region_;
};

// [begin, end) grown to whole tiles of `tile` (a grid anchored at 0), then by `extra` more
// tiles on each side, clipped to [0, length).
std::pair<std::int64_t, std::int64_t> tileSpan(std::int64_t begin, std::int64_t end,
                                               std::int64_t tile, std::int64_t extra,
                                               std::int64_t length) {
    const std::int64_t first = begin / tile - extra;
    const std::int64_t last = (end + tile - 1) / tile + extra;
    return {std::max<std::int64_t>(0, first * tile), std::min(length, last * tile)};
}

}  // namespace

Rect regionContext(const Rect& region, Size image, const EngineOptions& options, int radius) {
    const Rect bounds = rectOf(image);
    if (options.reconstruction == Reconstruction::Crop)
        return region.grown(radius).intersected(bounds);
    // Blend: the tiles whose halos reach the region are those whose cores meet it grown by
    // the overlap. They must be the whole run's tiles (a grid anchored at the image origin)
    // with their halos and the radius around those unclipped by the context, so the context
    // adds whole tiles covering overlap + radius beyond them.
    const std::int64_t overlap = std::max<std::int64_t>(options.overlap.value_or(radius), radius);
    const Rect touched = region.grown(overlap).intersected(bounds);
    const auto extra = [&](std::int64_t tile) { return (overlap + radius + tile - 1) / tile; };
    const auto [x0, x1] = tileSpan(touched.x, touched.right(), options.tile.width,
                                   extra(options.tile.width), image.width);
    const auto [y0, y1] = tileSpan(touched.y, touched.bottom(), options.tile.height,
                                   extra(options.tile.height), image.height);
    return {x0, y0, x1 - x0, y1 - y0};
}

RunReport runRegions(const TileFlow& flow, const Source& source, Sink& sink,
                     const std::vector<Rect>& regions, const RunControl& control) {
    const std::shared_ptr<const Operation>& operation = flow.operation();
    if (!operation)
        throw InvalidArgument("runRegions() before configure(): no operation to run");
    const ImageInfo input = source.info();
    const Rect bounds = rectOf(input.size);
    for (std::size_t i = 0; i < regions.size(); ++i) {
        if (regions[i].empty() || !bounds.contains(regions[i]))
            throw InvalidArgument("region " + rectText(regions[i]) + " is not inside the " +
                                  std::to_string(input.size.width) + "x" +
                                  std::to_string(input.size.height) + " image");
        for (std::size_t j = 0; j < i; ++j) {
            if (!regions[i].intersected(regions[j]).empty())
                throw InvalidArgument("regions " + rectText(regions[j]) + " and " +
                                      rectText(regions[i]) + " overlap");
        }
    }

    const auto began = std::chrono::steady_clock::now();
    auto statistics = std::make_shared<StatisticsList>();
    if (operation->statisticsPasses(input) > 0)
        *statistics = flow.gatherStatistics(source, control);
    const TileFlow part(std::make_shared<GatheredStatistics>(operation, statistics),
                        flow.options());

    RunReport report;
    sink.begin(operation->outputInfo(input));
    try {
        for (const Rect& region : regions) {
            const Rect context =
                regionContext(region, input.size, flow.options(), operation->radius());
            const RegionSource contextSource(source, context);
            RegionSink regionSink(sink, context, region);
            const RunReport done = part.run(contextSource, regionSink, control);
            report.overlap = done.overlap;
            for (const std::string& note : done.notes) {
                if (std::find(report.notes.begin(), report.notes.end(), note) == report.notes.end())
                    report.notes.push_back(note);
            }
            RunStats& s = report.stats;
            s.tilesDone += done.stats.tilesDone;
            s.tilesTotal += done.stats.tilesTotal;
            s.chunksDone += done.stats.chunksDone;
            s.chunksTotal += done.stats.chunksTotal;
            s.pixelsDone += region.area();
            s.pixelsTotal += region.area();
            s.channels = done.stats.channels;
            s.bytesRead += done.stats.bytesRead;
            s.bytesWritten += done.stats.bytesWritten;
            s.enginePeakBytes = std::max(s.enginePeakBytes, done.stats.enginePeakBytes);
        }
        if (control.stop.stop_requested())
            throw Cancelled();
        sink.commit();
    } catch (...) {
        sink.abort();
        throw;
    }
    report.measurements = operation->measurements(*statistics);
    report.stats.elapsedSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    return report;
}

}  // namespace tileflow
