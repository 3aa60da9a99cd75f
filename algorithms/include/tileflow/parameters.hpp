/// @file
/// Self-description of operations and validated parameter values.
///
/// Every built-in operation publishes an OperationInfo: its id, a human name, what it does,
/// its parameters with type, default, range, unit and meaning, and what its result looks
/// like before any operation is created. Front ends (command line, plugin forms) are
/// generated from it. The facts that depend on parameter values and on the input are the
/// created Operation's to answer: radius() (the overlap a run needs), outputInfo() and
/// statisticsPasses(). Parameters holds values checked against such a
/// description: unknown names, unparsable values and values out of range throw
/// tileflow::InvalidArgument naming the operation, the parameter and what was expected.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tileflow/image.hpp"

namespace tileflow {

/// The kind of value a parameter takes.
enum class ParameterType {
    Integer,  ///< a whole number within [minimum, maximum]
    Real,     ///< a number within [minimum, maximum]
    Boolean,  ///< true or false
    Choice    ///< one of a list of names
};

/// One parameter of an operation, as front ends show it.
struct ParameterInfo {
    std::string name;                          ///< the key of its value, e.g. "sigma"
    ParameterType type = ParameterType::Real;  ///< the kind of value
    std::string defaultValue;                  ///< as text, used when no value is given
    double minimum = 0;                        ///< inclusive lower bound, for Integer and Real
    double maximum = 0;                        ///< inclusive upper bound, for Integer and Real
    std::vector<std::string> choices;          ///< for Choice
    std::string unit;                          ///< of the value; may be empty
    std::string description;                   ///< what the parameter does
};

/// Whether the engine reads the whole image in a statistics pass before the tile pass.
enum class NeedsStatistics : std::uint8_t {
    No,                  ///< never
    Yes,                 ///< always
    DependsOnParameters  ///< for some parameter values (Operation::statisticsPasses() says)
};

/// What an operation is, before any is created.
struct OperationInfo {
    std::string id;                         ///< to create it by, e.g. "sobel"
    std::string name;                       ///< for people, e.g. "Gaussian smoothing"
    std::string description;                ///< what it does
    std::vector<ParameterInfo> parameters;  ///< every parameter it takes
    int outputChannels = 0;                 ///< 0: one per input channel
    std::optional<DType> outputDType;       ///< nullopt: the input's
    NeedsStatistics needsStatistics = NeedsStatistics::No;  ///< whether runs read the image twice
};

/// Parameter values of one operation, validated; see the file description.
class Parameters {
public:
    /// Validates `given` (name -> text) against `info`; missing values take their defaults.
    Parameters(const OperationInfo& info, const std::map<std::string, std::string>& given);

    /// The value of an Integer parameter. The accessors throw InvalidArgument for a name
    /// the operation does not have or a parameter of another type.
    std::int64_t integer(const std::string& name) const;
    /// The value of a Real parameter.
    double real(const std::string& name) const;
    /// The value of a Boolean parameter.
    bool boolean(const std::string& name) const;
    /// The value of a Choice parameter, one of its choices.
    const std::string& choice(const std::string& name) const;

private:
    const std::string& text(const std::string& name, ParameterType type) const;
    std::string operation_;
    std::map<std::string, std::pair<ParameterType, std::string>> values_;
};

}  // namespace tileflow
