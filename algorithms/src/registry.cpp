#include "tileflow/registry.hpp"

#include <array>
#include <optional>
#include <utility>

#include "kernels/kernels.hpp"
#include "tileflow/error.hpp"

namespace tileflow {

namespace {

// A kernel with what its outputInfo() and statisticsPasses() do, stated up front so front
// ends can describe an operation before creating one.
struct Builtin {
    kernels::Kernel kernel;
    int outputChannels;                // 0: one per input channel
    std::optional<DType> outputDType;  // nullopt: the input's
    NeedsStatistics needsStatistics;
};

const std::array kBuiltins{
    Builtin{{kernels::describeSobel, kernels::createSobel}, 0, DType::F32, NeedsStatistics::No},
    Builtin{
        {kernels::describeGaussian, kernels::createGaussian}, 0, DType::F32, NeedsStatistics::No},
    Builtin{
        {kernels::describeStretch, kernels::createStretch}, 0, DType::F32, NeedsStatistics::Yes},
    // fixed: no statistics; otsu and percentile: a histogram of the whole channel.
    Builtin{{kernels::describeThreshold, kernels::createThreshold},
            0,
            DType::U8,
            NeedsStatistics::DependsOnParameters},
    Builtin{{kernels::describeNuclei, kernels::createNuclei}, 1, DType::U8, NeedsStatistics::Yes},
    Builtin{{kernels::describeTissue, kernels::createTissue}, 1, DType::U8, NeedsStatistics::No},
    Builtin{{kernels::describeRatio, kernels::createRatio}, 1, DType::F32, NeedsStatistics::No},
    Builtin{{kernels::describeCopy, kernels::createCopy}, 0, std::nullopt, NeedsStatistics::No},
};

}  // namespace

const std::vector<OperationInfo>& builtinOperations() {
    static const std::vector<OperationInfo> infos = [] {
        std::vector<OperationInfo> all;
        for (const Builtin& builtin : kBuiltins) {
            OperationInfo info = builtin.kernel.describe();
            info.outputChannels = builtin.outputChannels;
            info.outputDType = builtin.outputDType;
            info.needsStatistics = builtin.needsStatistics;
            all.push_back(std::move(info));
        }
        return all;
    }();
    return infos;
}

namespace {

// Index of `id` in kBuiltins (and builtinOperations(), which follows its order).
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
    return kBuiltins[i].kernel.create(Parameters(builtinOperations()[i], parameters));
}

}  // namespace tileflow
