// nuclei: a mask of the nuclei of one channel, and their number.
//
// The channel is smoothed with a Gaussian (as the gaussian operation: scipy.ndimage
// gaussian_filter, reflect border, radius int(4 * sigma + 0.5)), thresholded with Otsu's
// method computed on the smoothed values of the whole image, and written as a one-channel u8
// mask: 255 (nucleus) where smoothed > threshold, else 0. The count is the number of
// 8-connected foreground components of the whole mask, exact whatever the tiling.
//
// Statistics passes:
//   0. [min, max] of the channel's finite samples. Smoothing (a weighted mean) stays inside.
//   1. a histogram of the smoothed core pixels: 256 bins over that [min, max], skimage's
//      default for float images; Otsu's threshold is a bin centre (see histogram.hpp).
//   2. components: each tile labels the components of its core's mask and keeps the
//      foreground runs along the four core edges with their labels. Finalising unites, with
//      a union-find, labels that touch across the edge between neighbouring tiles or the
//      corner between diagonal ones: count = labels - successful unions.
// Measurements: "nuclei_threshold" and "nuclei_count".
#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <numeric>
#include <utility>

#include "histogram.hpp"
#include "kernels.hpp"
#include "smoothing.hpp"
#include "tileflow/error.hpp"

namespace tileflow::kernels {

namespace {

constexpr std::int64_t kBins = 256;

// A union-find over the ids 0 .. size() - 1, with path halving.
class UnionFind {
public:
    void reset(std::size_t n) {
        parent_.resize(n);
        std::iota(parent_.begin(), parent_.end(), std::size_t{0});
    }
    std::size_t size() const { return parent_.size(); }
    std::size_t add() {
        parent_.push_back(parent_.size());
        return parent_.size() - 1;
    }
    std::size_t find(std::size_t i) {
        while (parent_[i] != i)
            i = parent_[i] = parent_[parent_[i]];
        return i;
    }
    // True when a and b were in different sets.
    bool unite(std::size_t a, std::size_t b) {
        a = find(a);
        b = find(b);
        if (a == b)
            return false;
        parent_[std::max(a, b)] = std::min(a, b);
        return true;
    }

private:
    std::vector<std::size_t> parent_;
};

constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

// A maximal foreground run [start, end) along a core edge, in image coordinates (x for the
// top and bottom edges, y for the left and right ones), and its tile-local edge label.
struct EdgeRun {
    std::int64_t start = 0;
    std::int64_t end = 0;
    std::size_t label = 0;
};

enum Edge { Top, Bottom, Left, Right };

// What the count needs to know of one tile.
struct TileComponents {
    Rect core;
    std::int64_t components = 0;
    std::size_t edgeLabels = 0;  // labels 0 .. edgeLabels - 1 touch an edge
    std::array<std::vector<EdgeRun>, 4> edges;
};

// Labels the 8-connected components of a w x h mask whose top-left pixel is at `core`.
TileComponents labelComponents(const std::vector<std::uint8_t>& mask, const Rect& core) {
    // Label 0 is the background; provisional labels are united as they meet.
    thread_local std::vector<std::size_t> labels;
    thread_local UnionFind sets;
    const std::int64_t w = core.width, h = core.height;
    labels.assign(mask.size(), 0);
    sets.reset(1);
    auto at = [&](std::int64_t x, std::int64_t y) -> std::size_t& {
        return labels[static_cast<std::size_t>(y * w + x)];
    };
    for (std::int64_t y = 0; y < h; ++y) {
        for (std::int64_t x = 0; x < w; ++x) {
            if (!mask[static_cast<std::size_t>(y * w + x)])
                continue;
            std::size_t label = 0;
            auto join = [&](std::size_t neighbour) {
                if (neighbour == 0)
                    return;
                if (label == 0)
                    label = neighbour;
                else
                    sets.unite(label, neighbour);
            };
            if (x > 0)
                join(at(x - 1, y));
            if (y > 0) {
                if (x > 0)
                    join(at(x - 1, y - 1));
                join(at(x, y - 1));
                if (x + 1 < w)
                    join(at(x + 1, y - 1));
            }
            at(x, y) = label != 0 ? label : sets.add();
        }
    }

    TileComponents t;
    t.core = core;
    const std::size_t count = sets.size();
    for (std::size_t l = 1; l < count; ++l)
        t.components += sets.find(l) == l ? 1 : 0;
    thread_local std::vector<std::size_t> edgeLabel;
    edgeLabel.assign(count, kNone);
    auto addRuns = [&](Edge edge, std::int64_t x0, std::int64_t y0, std::int64_t dx,
                       std::int64_t dy, std::int64_t n, std::int64_t origin) {
        std::vector<EdgeRun>& runs = t.edges[edge];
        bool inRun = false;
        for (std::int64_t i = 0; i < n; ++i) {
            const std::size_t l = at(x0 + i * dx, y0 + i * dy);
            if (l == 0) {
                inRun = false;
                continue;
            }
            if (inRun) {
                ++runs.back().end;
                continue;
            }
            const std::size_t root = sets.find(l);
            if (edgeLabel[root] == kNone)
                edgeLabel[root] = t.edgeLabels++;
            runs.push_back({origin + i, origin + i + 1, edgeLabel[root]});
            inRun = true;
        }
    };
    addRuns(Top, 0, 0, 1, 0, w, core.x);
    addRuns(Bottom, 0, h - 1, 1, 0, w, core.x);
    addRuns(Left, 0, 0, 0, 1, h, core.y);
    addRuns(Right, w - 1, 0, 0, 1, h, core.y);
    return t;
}

class Nuclei;

// Pass 1: the histogram of the smoothed channel.
class SmoothedHistogram final : public Statistics {
public:
    SmoothedHistogram(const Nuclei& op, const Binning& binning) : op_(op), histogram_(binning) {}
    void add(ConstImageView in, const Rect& inRect, const Rect& core) override;
    void merge(const Statistics& other) override {
        histogram_.merge(static_cast<const SmoothedHistogram&>(other).histogram_);
    }
    const Histogram& histogram() const { return histogram_; }

private:
    const Nuclei& op_;
    Histogram histogram_;
};

// Pass 2: the components of every tile, united across tiles by count().
class ComponentStatistics final : public Statistics {
public:
    ComponentStatistics(const Nuclei& op, double threshold) : op_(op), threshold_(threshold) {}
    void add(ConstImageView in, const Rect& inRect, const Rect& core) override;
    void merge(const Statistics& other) override {
        const auto& o = static_cast<const ComponentStatistics&>(other);
        tiles_.insert(tiles_.end(), o.tiles_.begin(), o.tiles_.end());
    }
    std::int64_t count() const;

private:
    const Nuclei& op_;
    double threshold_;
    std::vector<TileComponents> tiles_;
};

class Nuclei final : public Operation {
public:
    Nuclei(int channel, double sigma) : channel_(channel), smoother_(sigma, 4) {}

    std::string_view id() const override { return "nuclei"; }
    int radius() const override { return smoother_.radius(); }
    ImageInfo outputInfo(const ImageInfo& input) const override {
        if (channel_ >= input.channels) {
            throw InvalidArgument("nuclei: parameter 'channel' is " + std::to_string(channel_) +
                                  " but the input has " + std::to_string(input.channels) +
                                  " channel(s), numbered from 0");
        }
        return {input.size, 1, DType::U8};
    }

    int statisticsPasses(const ImageInfo&) const override { return 3; }
    std::unique_ptr<Statistics> newStatistics(int pass, const ImageInfo&,
                                              const StatisticsList& earlier) const override {
        if (pass == 0)
            return std::make_unique<RangeStatistics>(channel_, 1);
        if (pass == 1) {
            const auto& range = static_cast<const RangeStatistics&>(*earlier.at(0));
            return std::make_unique<SmoothedHistogram>(
                *this, Binning::over(range.min(0), range.max(0), kBins, false));
        }
        return std::make_unique<ComponentStatistics>(*this, thresholdOf(earlier));
    }

    void process(ConstImageView in, const Rect& inRect, ImageView out, const Rect& outRect,
                 const StatisticsList& statistics) const override {
        const double t = thresholdOf(statistics);
        const std::vector<float>& s = smoothed(in, inRect, outRect);
        for (std::int64_t y = 0; y < outRect.height; ++y) {
            const float* src = s.data() + y * outRect.width;
            std::uint8_t* dst = out.row<std::uint8_t>(0, y);
            for (std::int64_t x = 0; x < outRect.width; ++x) {
                dst[x] = static_cast<double>(src[x]) > t ? 255 : 0;
            }
        }
    }

    std::vector<Measurement> measurements(const StatisticsList& statistics) const override {
        const auto& components = static_cast<const ComponentStatistics&>(*statistics.at(2));
        return {{"nuclei_threshold", thresholdOf(statistics)},
                {"nuclei_count", static_cast<double>(components.count())}};
    }

    // The smoothed channel at `region` (image coordinates), rows packed, in a per-thread
    // buffer that the next call on this thread overwrites.
    const std::vector<float>& smoothed(ConstImageView in, const Rect& inRect,
                                       const Rect& region) const {
        thread_local std::vector<float> buffer;
        buffer.resize(static_cast<std::size_t>(region.area()));
        smoother_.smooth(in, channel_, region.relativeTo(inRect), buffer.data(), region.width);
        return buffer;
    }

private:
    // Otsu's threshold of the smoothed values; 256 bins, so cheap enough to take per tile.
    static double thresholdOf(const StatisticsList& statistics) {
        return static_cast<const SmoothedHistogram&>(*statistics.at(1)).histogram().otsu();
    }

    int channel_;
    GaussianSmoother smoother_;
};

void SmoothedHistogram::add(ConstImageView in, const Rect& inRect, const Rect& core) {
    const std::vector<float>& s = op_.smoothed(in, inRect, core);
    histogram_.add(s.data(), core.area());
}

void ComponentStatistics::add(ConstImageView in, const Rect& inRect, const Rect& core) {
    thread_local std::vector<std::uint8_t> mask;
    const std::vector<float>& s = op_.smoothed(in, inRect, core);
    mask.resize(s.size());
    for (std::size_t i = 0; i < s.size(); ++i)
        mask[i] = static_cast<double>(s[i]) > threshold_ ? 1 : 0;
    tiles_.push_back(labelComponents(mask, core));
}

std::int64_t ComponentStatistics::count() const {
    std::map<std::pair<std::int64_t, std::int64_t>, std::size_t> byCorner;  // (x, y) -> tile
    std::vector<std::size_t> base(tiles_.size());
    std::size_t labels = 0;
    std::int64_t components = 0;
    for (std::size_t i = 0; i < tiles_.size(); ++i) {
        byCorner[{tiles_[i].core.x, tiles_[i].core.y}] = i;
        base[i] = labels;
        labels += tiles_[i].edgeLabels;
        components += tiles_[i].components;
    }
    UnionFind sets;
    sets.reset(labels);
    std::int64_t unions = 0;
    auto tileAt = [&](std::int64_t x, std::int64_t y) -> const std::size_t* {
        auto it = byCorner.find({x, y});
        return it == byCorner.end() ? nullptr : &it->second;
    };
    // Runs of two facing edges touch when they overlap or meet diagonally.
    auto joinEdges = [&](std::size_t a, Edge ea, std::size_t b, Edge eb) {
        const std::vector<EdgeRun>& ra = tiles_[a].edges[ea];
        const std::vector<EdgeRun>& rb = tiles_[b].edges[eb];
        std::size_t i = 0, j = 0;
        while (i < ra.size() && j < rb.size()) {
            if (ra[i].start <= rb[j].end && rb[j].start <= ra[i].end) {
                unions += sets.unite(base[a] + ra[i].label, base[b] + rb[j].label) ? 1 : 0;
            }
            if (ra[i].end < rb[j].end)
                ++i;
            else
                ++j;
        }
    };
    // The label of the pixel at `pos` on an edge, if it is foreground.
    auto labelAt = [&](std::size_t t, Edge e, std::int64_t pos) -> const EdgeRun* {
        const std::vector<EdgeRun>& runs = tiles_[t].edges[e];
        auto it = std::upper_bound(runs.begin(), runs.end(), pos,
                                   [](std::int64_t p, const EdgeRun& r) { return p < r.start; });
        if (it == runs.begin() || (it - 1)->end <= pos)
            return nullptr;
        return &*(it - 1);
    };
    auto joinCorners = [&](std::size_t a, Edge ea, std::int64_t pa, std::size_t b, Edge eb,
                           std::int64_t pb) {
        const EdgeRun* x = labelAt(a, ea, pa);
        const EdgeRun* y = labelAt(b, eb, pb);
        if (x && y)
            unions += sets.unite(base[a] + x->label, base[b] + y->label) ? 1 : 0;
    };
    for (std::size_t a = 0; a < tiles_.size(); ++a) {
        const Rect& c = tiles_[a].core;
        const std::size_t* right = tileAt(c.right(), c.y);
        const std::size_t* below = tileAt(c.x, c.bottom());
        const std::size_t* diagonal = tileAt(c.right(), c.bottom());
        if (right)
            joinEdges(a, Right, *right, Left);
        if (below)
            joinEdges(a, Bottom, *below, Top);
        if (diagonal)
            joinCorners(a, Bottom, c.right() - 1, *diagonal, Top, c.right());
        // The anti-diagonal: the bottom-left pixel of the right tile and the top-right pixel
        // of the one below.
        if (right && below)
            joinCorners(*right, Bottom, c.right(), *below, Top, c.right() - 1);
    }
    return components - unions;
}

}  // namespace

OperationInfo describeNuclei() {
    ParameterInfo channel{
        "channel", ParameterType::Integer,
        "0",       0,
        4095,      {},
        "",        "Channel holding the nuclear stain (e.g. DAPI), numbered from 0"};
    ParameterInfo sigma{"sigma",
                        ParameterType::Real,
                        "2",
                        0.1,
                        64,
                        {},
                        "px",
                        "Standard deviation of the Gaussian smoothing before thresholding; the "
                        "radius is int(4 * sigma + 0.5)"};
    return {"nuclei",
            "Nuclei mask and count",
            "Smooths one channel (Gaussian, reflect border), thresholds it with Otsu's method "
            "computed on the smoothed values of the whole image (256 bins over the channel's "
            "[min, max]) and marks nuclei (brighter than the threshold) with 255. Output u8, "
            "one channel. Reports nuclei_threshold and nuclei_count, the number of "
            "8-connected components of the whole mask, counted exactly across tiles.",
            {channel, sigma}};
}

std::shared_ptr<const Operation> createNuclei(const Parameters& p) {
    return std::make_shared<Nuclei>(static_cast<int>(p.integer("channel")), p.real("sigma"));
}

}  // namespace tileflow::kernels
