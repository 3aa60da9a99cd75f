// Self-description of operations and validated parameter values.
//
// Every built-in operation publishes an OperationInfo: its id, a human name, what it does,
// its parameters with type, default, range, unit and meaning, and what its result looks
// like before any operation is created. Front ends (command line, plugin forms) are
// generated from it. The facts that depend on parameter values and on the input are the
// created Operation's to answer: radius() (the overlap a run needs), outputInfo() and
// statisticsPasses(). Parameters holds values checked against such a
// description: unknown names, unparsable values and values out of range throw
// tileflow::InvalidArgument naming the operation, the parameter and what was expected.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tileflow/image.hpp"

namespace tileflow {

enum class ParameterType { Integer, Real, Boolean, Choice };

struct ParameterInfo {
    std::string name;
    ParameterType type = ParameterType::Real;
    std::string defaultValue;
    double minimum = 0;  // inclusive bounds, for Integer and Real
    double maximum = 0;
    std::vector<std::string> choices;  // for Choice
    std::string unit;
    std::string description;
};

// Whether the engine reads the whole image in a statistics pass before the tile pass.
enum class NeedsStatistics : std::uint8_t { No, Yes, DependsOnParameters };

struct OperationInfo {
    std::string id;
    std::string name;
    std::string description;
    std::vector<ParameterInfo> parameters;
    int outputChannels = 0;            // 0: one per input channel
    std::optional<DType> outputDType;  // nullopt: the input's
    NeedsStatistics needsStatistics = NeedsStatistics::No;
};

class Parameters {
public:
    // Validates `given` (name -> text) against `info`; missing values take their defaults.
    Parameters(const OperationInfo& info, const std::map<std::string, std::string>& given);

    std::int64_t integer(const std::string& name) const;
    double real(const std::string& name) const;
    bool boolean(const std::string& name) const;
    const std::string& choice(const std::string& name) const;

private:
    const std::string& text(const std::string& name, ParameterType type) const;
    std::string operation_;
    std::map<std::string, std::pair<ParameterType, std::string>> values_;
};

}  // namespace tileflow
