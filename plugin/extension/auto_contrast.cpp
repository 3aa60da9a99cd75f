#include "auto_contrast.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace tileflow::plugin {

namespace {

template <typename T>
void appendChannel(ConstImageView view, int channel, std::vector<double>& values) {
    for (std::int64_t y = 0; y < view.height(); ++y) {
        const T* row = view.row<T>(channel, y);
        for (std::int64_t x = 0; x < view.width(); ++x) {
            const auto value = static_cast<double>(row[x]);
            if (std::isfinite(value))
                values.push_back(value);
        }
    }
}

std::vector<double> channelValues(ConstImageView view, int channel) {
    std::vector<double> values;
    values.reserve(static_cast<std::size_t>(view.width() * view.height()));
    switch (view.dtype()) {
        case DType::U8:
            appendChannel<std::uint8_t>(view, channel, values);
            break;
        case DType::I8:
            appendChannel<std::int8_t>(view, channel, values);
            break;
        case DType::U16:
            appendChannel<std::uint16_t>(view, channel, values);
            break;
        case DType::I16:
            appendChannel<std::int16_t>(view, channel, values);
            break;
        case DType::U32:
            appendChannel<std::uint32_t>(view, channel, values);
            break;
        case DType::F32:
            appendChannel<float>(view, channel, values);
            break;
    }
    return values;
}

// The value at rank ceil(fraction * (n - 1)): for small n the top percentile is the maximum.
double percentile(std::vector<double>& values, double fraction) {
    const auto rank =
        static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(values.size() - 1)));
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(rank),
                     values.end());
    return values[rank];
}

}  // namespace

DisplayMapping autoContrast(ConstImageView result) {
    DisplayMapping mapping;
    if (result.dtype() == DType::U8)
        return mapping;
    const int shown = result.channels() == 3 ? 3 : 1;
    for (int channel = 0; channel < shown; ++channel) {
        std::vector<double> values = channelValues(result, channel);
        if (values.empty())
            continue;
        const double low = percentile(values, kAutoContrastLow);
        const double high = percentile(values, kAutoContrastHigh);
        mapping.setRange(channel, {low, high > low ? high : low + 1});
    }
    return mapping;
}

}  // namespace tileflow::plugin
