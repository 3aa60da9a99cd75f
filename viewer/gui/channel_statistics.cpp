#include "gui/channel_statistics.hpp"

#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>
#include <cmath>

namespace tileflow::gui {

namespace {

template <typename T>
std::vector<double> channelValues(ConstImageView pixels, int channel) {
    std::vector<double> values;
    values.reserve(static_cast<std::size_t>(pixels.width() * pixels.height()));
    for (std::int64_t y = 0; y < pixels.height(); ++y) {
        const T* row = pixels.row<T>(channel, y);
        for (std::int64_t x = 0; x < pixels.width(); ++x) {
            const auto value = static_cast<double>(row[x]);
            if (!std::isnan(value))
                values.push_back(value);
        }
    }
    return values;
}

// The bins: one per integer when the span allows, else kHistogramBins equal ones.
struct Bins {
    double low = 0;
    double width = 1;
    std::size_t count = 1;

    Bins(double min, double max, bool integer) : low(min) {
        const double span = max - min;
        if (integer && span < kHistogramBins) {
            count = static_cast<std::size_t>(span) + 1;
        } else {
            count = kHistogramBins;
            width = span > 0 ? span / kHistogramBins : 1;
        }
    }
    std::size_t of(double value) const {
        const auto bin = static_cast<std::size_t>(std::max(0.0, (value - low) / width));
        return std::min(bin, count - 1);
    }
    double edge(std::size_t bin) const { return low + static_cast<double>(bin) * width; }
};

std::size_t rankOf(double fraction, std::size_t count) {
    const auto rank = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(count)));
    return std::clamp(rank, std::size_t{1}, count);
}

}  // namespace

std::vector<plugin::DisplayRange> percentileRanges(ConstImageView pixels, double lowFraction,
                                                   double highFraction) {
    std::vector<plugin::DisplayRange> ranges;
    for (int c = 0; c < pixels.channels(); ++c) {
        const std::vector<double> values = visitDType(pixels.dtype(), [&](auto sample) {
            return channelValues<decltype(sample)>(pixels, c);
        });
        if (values.empty()) {
            ranges.push_back(plugin::DisplayMapping::defaultRange(pixels.dtype()));
            continue;
        }
        const auto [lowest, highest] = std::minmax_element(values.begin(), values.end());
        const double max = *highest;
        const Bins bins(*lowest, max, pixels.dtype() != DType::F32);
        std::vector<std::size_t> histogram(bins.count, 0);
        for (const double value : values)
            ++histogram[bins.of(value)];
        const auto percentile = [&](double fraction) {
            const std::size_t rank = rankOf(fraction, values.size());
            std::size_t cumulative = 0;
            for (std::size_t bin = 0; bin < histogram.size(); ++bin) {
                cumulative += histogram[bin];
                if (cumulative >= rank)
                    return bins.edge(bin);
            }
            return max;
        };
        ranges.push_back({percentile(lowFraction), percentile(highFraction)});
    }
    return ranges;
}

QFuture<std::vector<plugin::DisplayRange>> coarsestLevelRanges(std::shared_ptr<const Source> source,
                                                               double lowFraction,
                                                               double highFraction) {
    return QtConcurrent::run([source = std::move(source), lowFraction, highFraction] {
        const DisplayPyramid pyramid(*source);
        const Image coarsest = pyramid.readTile(*source, TileKey{pyramid.coarsest(), 0, 0});
        return percentileRanges(coarsest.view(), lowFraction, highFraction);
    });
}

}  // namespace tileflow::gui
