// Internal: value ranges and histograms gathered over tile cores, and the global statistics
// computed from them: numpy-style percentiles and Otsu thresholds.
//
// Integer dtypes of at most 16 bits get one bin per representable value (256 bins for u8
// and i8, 65536 for u16 and i16), so their percentiles and Otsu thresholds are exact. Other
// dtypes (f32, u32) are binned over the [min, max] that an earlier range pass found; their
// percentiles lie within one bin of the exact ones. Non-finite samples (NaN, +-inf) are left
// out of ranges and histograms.
//
// Counts are merged by addition, so merging is associative and commutative and the results
// do not depend on how tiles were spread over workers.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <type_traits>
#include <vector>

#include "tileflow/operation.hpp"

namespace tileflow::kernels {

// True for the dtypes whose histograms hold one bin per representable value.
bool hasExactBins(DType type);

// How values map to bins: bin i covers [origin + i * width, origin + (i + 1) * width);
// values outside fall into the first or last bin.
struct Binning {
    double origin = 0;
    double width = 1;
    double scale = 1;  // 1 / width
    std::int64_t bins = 1;
    bool exact = true;  // integer samples, one bin per value: bin i holds origin + i

    // One bin per value of an integer dtype of at most 16 bits.
    static Binning exactFor(DType type);
    // `bins` equal bins over [lo, hi]; one bin per value when the samples are `integral`
    // and span at most `bins` values.
    static Binning over(double lo, double hi, std::int64_t bins, bool integral);

    std::int64_t index(double v) const {
        const double f = std::floor((v - origin) * scale);
        if (!(f > 0))
            return 0;
        return f >= static_cast<double>(bins - 1) ? bins - 1 : static_cast<std::int64_t>(f);
    }
    // The value a bin stands for: its value for exact bins, else its centre.
    double center(std::int64_t i) const {
        return exact ? origin + static_cast<double>(i)
                     : origin + (static_cast<double>(i) + 0.5) * width;
    }
};

class Histogram {
public:
    Histogram() = default;
    explicit Histogram(const Binning& binning) : binning_(binning) {}

    const Binning& binning() const { return binning_; }
    std::uint64_t total() const { return total_; }

    // Integer samples of at most 16 bits need Binning::exactFor their dtype.
    template <typename T>
    void add(const T* samples, std::int64_t n);
    void merge(const Histogram& other);

    // numpy.percentile(samples, p) with the default "linear" method; exact for exact bins,
    // otherwise within one bin. NaN when the histogram is empty.
    double percentile(double p) const;
    // skimage.filters.threshold_otsu computed on these bins: the value of the bin that
    // maximises the between-class variance; foreground is `value > threshold`. When only one
    // bin is occupied there is no split and the result is the largest sample, which leaves
    // the foreground empty. NaN when the histogram is empty.
    double otsu() const;

private:
    void allocate() {
        if (counts_.empty())
            counts_.assign(static_cast<std::size_t>(binning_.bins), 0);
    }
    double valueAtRank(std::uint64_t rank) const;

    Binning binning_;
    // Allocated on the first add(): a worker that gets no tile touches no memory.
    std::vector<std::uint64_t> counts_;
    std::uint64_t total_ = 0;
    // Smallest and largest sample of binned (not exact) histograms; percentiles take their
    // ends from them.
    double min_ = std::numeric_limits<double>::infinity();
    double max_ = -std::numeric_limits<double>::infinity();
};

template <typename T>
void Histogram::add(const T* samples, std::int64_t n) {
    if (n <= 0)
        return;
    allocate();
    std::uint64_t* counts = counts_.data();
    if constexpr (std::is_integral_v<T> && sizeof(T) <= 2) {
        const auto origin = static_cast<std::int64_t>(binning_.origin);
        for (std::int64_t i = 0; i < n; ++i)
            ++counts[samples[i] - origin];
        total_ += static_cast<std::uint64_t>(n);
    } else {
        double lo = min_, hi = max_;
        std::uint64_t added = 0;
        for (std::int64_t i = 0; i < n; ++i) {
            const auto v = static_cast<double>(samples[i]);
            if (!std::isfinite(v))
                continue;
            ++counts[binning_.index(v)];
            lo = std::min(lo, v);
            hi = std::max(hi, v);
            ++added;
        }
        min_ = lo;
        max_ = hi;
        total_ += added;
    }
}

// Statistics pass: the [min, max] of the finite samples of channels [first, first + count).
class RangeStatistics final : public Statistics {
public:
    RangeStatistics(int first, int count);

    void add(ConstImageView in, const Rect& inRect, const Rect& core) override;
    void merge(const Statistics& other) override;

    // For channel first + c; +inf and -inf when it holds no finite sample.
    double min(int c) const { return min_[static_cast<std::size_t>(c)]; }
    double max(int c) const { return max_[static_cast<std::size_t>(c)]; }

private:
    int first_;
    std::vector<double> min_, max_;
};

// Statistics pass: one histogram per channel of the samples of channels [first, first + n),
// n being the number of binnings.
class HistogramStatistics final : public Statistics {
public:
    HistogramStatistics(int first, const std::vector<Binning>& binnings);

    void add(ConstImageView in, const Rect& inRect, const Rect& core) override;
    void merge(const Statistics& other) override;

    int channels() const { return static_cast<int>(histograms_.size()); }
    const Histogram& histogram(int c) const { return histograms_[static_cast<std::size_t>(c)]; }

    // Values derived from the merged histograms (percentiles, thresholds), computed by the
    // first caller and then shared: process() asks for them on every tile, and an exact
    // 16-bit histogram has 65536 bins. Every caller must pass an equivalent `compute`.
    template <typename F>
    const std::vector<double>& derived(F&& compute) const {
        std::call_once(derivedOnce_, [&] { derived_ = compute(*this); });
        return derived_;
    }

private:
    int first_;
    std::vector<Histogram> histograms_;
    mutable std::once_flag derivedOnce_;
    mutable std::vector<double> derived_;
};

// Binning of channel c of a dtype without exact bins: `bins` equal bins over the channel's
// range (one bin per value for u32 channels that span at most `bins` values).
Binning channelBinning(DType type, const RangeStatistics& range, int c, std::int64_t bins);

// The statistics passes of a per-channel histogram of every input channel: one pass for
// exactly binned dtypes; otherwise a pass that finds the channel ranges, then one that fills
// `bins` bins over them.
int channelStatisticsPasses(const ImageInfo& input);
std::unique_ptr<Statistics> newChannelStatistics(int pass, const ImageInfo& input,
                                                 const StatisticsList& earlier, std::int64_t bins);
// The histograms those passes produced.
const HistogramStatistics& channelHistograms(const StatisticsList& statistics);

}  // namespace tileflow::kernels
