#include "tileflow/registry.hpp"

#include <array>

#include "kernels/kernels.hpp"
#include "tileflow/error.hpp"

namespace tileflow {

namespace {

const std::array kKernels{
    kernels::Kernel{kernels::describeSobel, kernels::createSobel},
    kernels::Kernel{kernels::describeGaussian, kernels::createGaussian},
    kernels::Kernel{kernels::describeStretch, kernels::createStretch},
    kernels::Kernel{kernels::describeThreshold, kernels::createThreshold},
    kernels::Kernel{kernels::describeNuclei, kernels::createNuclei},
    kernels::Kernel{kernels::describeTissue, kernels::createTissue},
    kernels::Kernel{kernels::describeRatio, kernels::createRatio},
};

}  // namespace

const std::vector<OperationInfo>& builtinOperations() {
    static const std::vector<OperationInfo> infos = [] {
        std::vector<OperationInfo> all;
        for (const auto& k : kKernels)
            all.push_back(k.describe());
        return all;
    }();
    return infos;
}

const OperationInfo& operationInfo(std::string_view id) {
    for (const auto& info : builtinOperations()) {
        if (info.id == id)
            return info;
    }
    std::string known;
    for (const auto& info : builtinOperations())
        known += (known.empty() ? "" : ", ") + info.id;
    throw InvalidArgument("unknown operation '" + std::string(id) + "' (known: " + known + ")");
}

std::shared_ptr<const Operation> createOperation(
    std::string_view id, const std::map<std::string, std::string>& parameters) {
    const OperationInfo& info = operationInfo(id);
    for (std::size_t i = 0; i < kKernels.size(); ++i) {
        if (builtinOperations()[i].id == id)
            return kKernels[i].create(Parameters(info, parameters));
    }
    throw InvalidArgument("unknown operation '" + std::string(id) + "'");
}

}  // namespace tileflow
