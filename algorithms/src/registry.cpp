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
    kernels::Kernel{kernels::describeCopy, kernels::createCopy},
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

namespace {

// Index of `id` in kKernels (and builtinOperations(), which follows its order).
std::size_t indexOf(std::string_view id) {
    const auto& infos = builtinOperations();
    for (std::size_t i = 0; i < infos.size(); ++i) {
        if (infos[i].id == id)
            return i;
    }
    std::string known;
    for (const auto& info : infos)
        known += (known.empty() ? "" : ", ") + info.id;
    throw InvalidArgument("unknown operation '" + std::string(id) + "' (known: " + known + ")");
}

}  // namespace

const OperationInfo& operationInfo(std::string_view id) {
    return builtinOperations()[indexOf(id)];
}

std::shared_ptr<const Operation> createOperation(
    std::string_view id, const std::map<std::string, std::string>& parameters) {
    const std::size_t i = indexOf(id);
    return kKernels[i].create(Parameters(builtinOperations()[i], parameters));
}

}  // namespace tileflow
