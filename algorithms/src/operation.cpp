#include "tileflow/operation.hpp"

#include "tileflow/error.hpp"

namespace tileflow {

std::unique_ptr<Statistics> Operation::newStatistics(int pass, const ImageInfo& /*input*/,
                                                     const StatisticsList& /*earlier*/) const {
    throw Error(std::string(id()) + " has no statistics pass " + std::to_string(pass));
}

std::vector<Measurement> Operation::measurements(const StatisticsList& /*statistics*/) const {
    return {};
}

std::optional<double> findMeasurement(const std::vector<Measurement>& measurements,
                                      std::string_view name) {
    for (const Measurement& m : measurements) {
        if (m.name == name)
            return m.value;
    }
    return std::nullopt;
}

}  // namespace tileflow
