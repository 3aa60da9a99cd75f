#include "histogram.hpp"

#include "../dispatch.hpp"

namespace tileflow::kernels {

bool hasExactBins(DType type) {
    return type == DType::U8 || type == DType::I8 || type == DType::U16 || type == DType::I16;
}

Binning Binning::exactFor(DType type) {
    switch (type) {
        case DType::U8:
            return {0, 1, 1, 256, true};
        case DType::I8:
            return {-128, 1, 1, 256, true};
        case DType::U16:
            return {0, 1, 1, 65536, true};
        case DType::I16:
            return {-32768, 1, 1, 65536, true};
        case DType::U32:
        case DType::F32:
            break;
    }
    return {};
}

Binning Binning::over(double lo, double hi, std::int64_t bins, bool integral) {
    if (!(hi >= lo))
        return {0, 1, 1, 1, false};  // no finite sample: one unused bin
    if (integral && hi - lo < static_cast<double>(bins)) {
        return {lo, 1, 1, static_cast<std::int64_t>(hi - lo) + 1, true};
    }
    const double width = hi > lo ? (hi - lo) / static_cast<double>(bins) : 1;
    return {lo, width, static_cast<double>(bins) / (hi > lo ? hi - lo : 1), bins, false};
}

void Histogram::merge(const Histogram& other) {
    if (other.counts_.empty())
        return;
    allocate();
    for (std::size_t i = 0; i < counts_.size(); ++i)
        counts_[i] += other.counts_[i];
    total_ += other.total_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
}

// The sample of the given rank in sorted order: exact for exact bins, otherwise placed
// inside its bin as if the bin's samples were spread evenly, and never outside [min, max].
double Histogram::valueAtRank(std::uint64_t rank) const {
    if (!binning_.exact) {
        if (rank == 0)
            return min_;
        if (rank + 1 == total_)
            return max_;
    }
    std::uint64_t before = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
        if (rank < before + counts_[i]) {
            const auto bin = static_cast<std::int64_t>(i);
            if (binning_.exact)
                return binning_.center(bin);
            const double within =
                (static_cast<double>(rank - before) + 0.5) / static_cast<double>(counts_[i]);
            const double v = binning_.origin + (static_cast<double>(bin) + within) * binning_.width;
            return std::clamp(v, min_, max_);
        }
        before += counts_[i];
    }
    return max_;
}

double Histogram::percentile(double p) const {
    if (total_ == 0)
        return std::numeric_limits<double>::quiet_NaN();
    // numpy: virtual index (n - 1) * q between the neighbouring ranks, then _lerp, which
    // interpolates from the nearer end.
    const double index = static_cast<double>(total_ - 1) * (p / 100);
    const double below = std::floor(index);
    const double gamma = index - below;
    const auto rank = static_cast<std::uint64_t>(below);
    const double a = valueAtRank(rank);
    const double b = valueAtRank(std::min(rank + 1, total_ - 1));
    const double diff = b - a;
    return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

double Histogram::otsu() const {
    if (total_ == 0)
        return std::numeric_limits<double>::quiet_NaN();
    std::size_t first = 0, last = counts_.size() - 1;
    while (counts_[first] == 0)
        ++first;
    while (counts_[last] == 0)
        --last;
    if (first == last)
        return binning_.exact ? binning_.center(static_cast<std::int64_t>(first)) : max_;

    // As skimage: class weights and means for every split, summed from both ends in the same
    // order, so that ties resolve to the same (first) maximum.
    const std::size_t n = last - first + 1;
    std::vector<std::uint64_t> weight1(n), weight2(n);
    std::vector<double> mean1(n), mean2(n);
    std::uint64_t w = 0;
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
        w += counts_[first + i];
        sum += static_cast<double>(counts_[first + i]) *
               binning_.center(static_cast<std::int64_t>(first + i));
        weight1[i] = w;
        mean1[i] = sum / static_cast<double>(w);
    }
    w = 0;
    sum = 0;
    for (std::size_t i = n; i-- > 0;) {
        w += counts_[first + i];
        sum += static_cast<double>(counts_[first + i]) *
               binning_.center(static_cast<std::int64_t>(first + i));
        weight2[i] = w;
        mean2[i] = sum / static_cast<double>(w);
    }
    std::size_t best = 0;
    double bestVariance = -1;
    for (std::size_t i = 0; i + 1 < n; ++i) {
        // skimage multiplies the integer weights first; long double holds that product
        // exactly up to 2^64 before the single rounding to double.
        const auto weights = static_cast<double>(static_cast<long double>(weight1[i]) *
                                                 static_cast<long double>(weight2[i + 1]));
        const double d = mean1[i] - mean2[i + 1];
        const double variance = weights * (d * d);
        if (variance > bestVariance) {
            bestVariance = variance;
            best = i;
        }
    }
    return binning_.center(static_cast<std::int64_t>(first + best));
}

RangeStatistics::RangeStatistics(int first, int count)
    : first_(first),
      min_(static_cast<std::size_t>(count), std::numeric_limits<double>::infinity()),
      max_(static_cast<std::size_t>(count), -std::numeric_limits<double>::infinity()) {}

void RangeStatistics::add(ConstImageView in, const Rect& inRect, const Rect& core) {
    const Rect r = core.relativeTo(inRect);
    detail::dispatch(in.dtype(), [&](auto sample) {
        using T = decltype(sample);
        for (std::size_t c = 0; c < min_.size(); ++c) {
            T lo = std::numeric_limits<T>::max(), hi = std::numeric_limits<T>::lowest();
            bool any = false;
            for (std::int64_t y = r.y; y < r.bottom(); ++y) {
                const T* row = in.row<T>(first_ + static_cast<int>(c), y) + r.x;
                for (std::int64_t x = 0; x < r.width; ++x) {
                    if constexpr (std::is_floating_point_v<T>) {
                        if (!std::isfinite(row[x]))
                            continue;
                    }
                    lo = std::min(lo, row[x]);
                    hi = std::max(hi, row[x]);
                    any = true;
                }
            }
            if (!any)
                continue;
            min_[c] = std::min(min_[c], static_cast<double>(lo));
            max_[c] = std::max(max_[c], static_cast<double>(hi));
        }
    });
}

void RangeStatistics::merge(const Statistics& other) {
    const auto& o = static_cast<const RangeStatistics&>(other);
    for (std::size_t c = 0; c < min_.size(); ++c) {
        min_[c] = std::min(min_[c], o.min_[c]);
        max_[c] = std::max(max_[c], o.max_[c]);
    }
}

HistogramStatistics::HistogramStatistics(int first, const std::vector<Binning>& binnings)
    : first_(first) {
    for (const Binning& b : binnings)
        histograms_.emplace_back(b);
}

void HistogramStatistics::add(ConstImageView in, const Rect& inRect, const Rect& core) {
    const Rect r = core.relativeTo(inRect);
    detail::dispatch(in.dtype(), [&](auto sample) {
        using T = decltype(sample);
        for (std::size_t c = 0; c < histograms_.size(); ++c) {
            for (std::int64_t y = r.y; y < r.bottom(); ++y) {
                histograms_[c].add(in.row<T>(first_ + static_cast<int>(c), y) + r.x, r.width);
            }
        }
    });
}

void HistogramStatistics::merge(const Statistics& other) {
    const auto& o = static_cast<const HistogramStatistics&>(other);
    for (std::size_t c = 0; c < histograms_.size(); ++c)
        histograms_[c].merge(o.histograms_[c]);
}

Binning channelBinning(DType type, const RangeStatistics& range, int c, std::int64_t bins) {
    return Binning::over(range.min(c), range.max(c), bins, type == DType::U32);
}

std::unique_ptr<Statistics> newChannelStatistics(int pass, const ImageInfo& input,
                                                 const StatisticsList& earlier, std::int64_t bins) {
    if (hasExactBins(input.dtype)) {
        return std::make_unique<HistogramStatistics>(
            0, std::vector<Binning>(static_cast<std::size_t>(input.channels),
                                    Binning::exactFor(input.dtype)));
    }
    if (pass == 0)
        return std::make_unique<RangeStatistics>(0, input.channels);
    const auto& range = static_cast<const RangeStatistics&>(*earlier.at(0));
    std::vector<Binning> binnings;
    binnings.reserve(static_cast<std::size_t>(input.channels));
    for (int c = 0; c < input.channels; ++c) {
        binnings.push_back(channelBinning(input.dtype, range, c, bins));
    }
    return std::make_unique<HistogramStatistics>(0, binnings);
}

int channelStatisticsPasses(const ImageInfo& input) {
    return hasExactBins(input.dtype) ? 1 : 2;
}

const HistogramStatistics& channelHistograms(const StatisticsList& statistics) {
    return static_cast<const HistogramStatistics&>(*statistics.back());
}

}  // namespace tileflow::kernels
