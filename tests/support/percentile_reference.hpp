// Test reference: numpy.nanpercentile(values, p) with numpy's default "linear" method,
// computed by sorting (the library computes it from merged histograms).
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

namespace tileflow::testing {

inline double numpyPercentile(std::vector<double> values, double p) {
    std::erase_if(values, [](double v) { return std::isnan(v); });
    std::sort(values.begin(), values.end());
    const double index = static_cast<double>(values.size() - 1) * (p / 100);
    const double below = std::floor(index);
    const double gamma = index - below;
    const auto i = static_cast<std::size_t>(below);
    const std::size_t j = std::min(i + 1, values.size() - 1);
    const double diff = values[j] - values[i];
    return gamma >= 0.5 ? values[j] - diff * (1 - gamma) : values[i] + diff * gamma;
}

}  // namespace tileflow::testing
