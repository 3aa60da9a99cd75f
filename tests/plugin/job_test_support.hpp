// Shared fixtures of the ViewJob and ImageJob tests: a two-level synthetic pyramid, SlowCopy
// (an operation that pauses and counts its calls), Delivered (one tileReady as received),
// eachOnceCovering (tiles distinct and covering an area), batch (the batch engine's result for
// a whole level), levelRect (a delivered tile in its level's pixels) and the wait timeout.
#pragma once

#include <QImage>
#include <QRect>
#include <QtGlobal>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string_view>
#include <thread>
#include <tuple>
#include <vector>

#include "tileflow/engine.hpp"
#include "tileflow/plugin/callback_source.hpp"
#include "tileflow/source_views.hpp"
#include "tileflow/synthetic.hpp"

namespace tileflow::testing {

// A two-level pyramid, 1000 x 700 and 500 x 350 (downsample 2), two u16 channels. The
// reduced level is a synthetic image of its own: the jobs never compare levels.
inline std::shared_ptr<const Source> pyramid() {
    auto level0 = std::make_shared<const Image>(
        SyntheticSource(SyntheticSpec::parse("synthetic:1000x700x2:u16:3")).render());
    auto level1 = std::make_shared<const Image>(
        SyntheticSource(SyntheticSpec::parse("synthetic:500x350x2:u16:4")).render());
    return std::make_shared<plugin::CallbackSource>(
        level0->info(),
        [level0, level1](int level, const Rect& region, ImageView out) {
            copyPixels((level == 0 ? *level0 : *level1).view().region(region), out);
        },
        std::vector<SourceLevel>{{{1000, 700}, 1}, {{500, 350}, 2}});
}

// Copies its input after a pause; counts its calls.
class SlowCopy final : public Operation {
public:
    explicit SlowCopy(std::chrono::milliseconds pause) : pause_(pause) {}
    std::string_view id() const override { return "slow-copy"; }
    int radius() const override { return 0; }
    ImageInfo outputInfo(const ImageInfo& input) const override { return input; }
    void process(ConstImageView in, const Rect& inRect, ImageView out, const Rect& outRect,
                 const StatisticsList&) const override {
        ++calls;
        std::this_thread::sleep_for(pause_);
        copyPixels(in.region(outRect.relativeTo(inRect)), out);
    }
    mutable std::atomic<int> calls{0};

private:
    std::chrono::milliseconds pause_;
};

// One tileReady as the receiver saw it.
struct Delivered {
    quint64 generation = 0;
    int level = 0;
    QRect level0Rect;
    QImage display;
    std::shared_ptr<const Image> raw;
};

// Whether the tiles are distinct and cover exactly `area` level-0 pixels.
inline bool eachOnceCovering(const std::vector<Delivered>& tiles, std::int64_t area) {
    std::map<std::tuple<int, int, int, int>, int> seen;
    std::int64_t covered = 0;
    for (const Delivered& t : tiles) {
        const QRect& r = t.level0Rect;
        if (++seen[{r.x(), r.y(), r.width(), r.height()}] > 1)
            return false;
        covered += std::int64_t{r.width()} * r.height();
    }
    return covered == area;
}

// The whole level through `op`, as the batch engine computes it.
inline Image batch(const Source& source, int level, const std::shared_ptr<const Operation>& op) {
    TileFlow flow({.tile = {192, 192}});
    flow.configure(op);
    MemorySink sink;
    flow.run(LevelSource(source, level), sink);
    return sink.take();
}

// A delivered tile's rectangle in its level's pixels (the pyramid's downsamples are exact).
inline Rect levelRect(const Delivered& t) {
    const int d = t.level == 0 ? 1 : 2;
    return {t.level0Rect.x() / d, t.level0Rect.y() / d, t.raw->width(), t.raw->height()};
}

// How long the tests wait for a job's signals.
constexpr int kTimeoutMs = 15000;

}  // namespace tileflow::testing
