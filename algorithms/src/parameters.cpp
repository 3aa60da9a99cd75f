#include "tileflow/parameters.hpp"

#include <charconv>
#include <cmath>
#include <sstream>

#include "tileflow/error.hpp"

namespace tileflow {

namespace {

bool parseReal(const std::string& text, double& value) {
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    return ec == std::errc() && ptr == end && std::isfinite(value);
}

bool parseInteger(const std::string& text, std::int64_t& value) {
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    return ec == std::errc() && ptr == end;
}

bool parseBoolean(const std::string& text, bool& value) {
    if (text == "true" || text == "1" || text == "yes" || text == "on") {
        value = true;
        return true;
    }
    if (text == "false" || text == "0" || text == "no" || text == "off") {
        value = false;
        return true;
    }
    return false;
}

std::string range(const ParameterInfo& p) {
    std::ostringstream s;
    s << "[" << p.minimum << ", " << p.maximum << "]";
    return s.str();
}

// Throws when `text` is not a valid value of `p`.
void validate(const std::string& op, const ParameterInfo& p, const std::string& text) {
    const std::string what = op + ": parameter '" + p.name + "' ";
    switch (p.type) {
        case ParameterType::Integer: {
            std::int64_t v = 0;
            if (!parseInteger(text, v))
                throw InvalidArgument(what + "expects an integer, got '" + text + "'");
            if (static_cast<double>(v) < p.minimum || static_cast<double>(v) > p.maximum) {
                throw InvalidArgument(what + "must be in " + range(p) + ", got " + text);
            }
            break;
        }
        case ParameterType::Real: {
            double v = 0;
            if (!parseReal(text, v))
                throw InvalidArgument(what + "expects a number, got '" + text + "'");
            if (v < p.minimum || v > p.maximum) {
                throw InvalidArgument(what + "must be in " + range(p) + ", got " + text);
            }
            break;
        }
        case ParameterType::Boolean: {
            bool v = false;
            if (!parseBoolean(text, v))
                throw InvalidArgument(what + "expects true or false, got '" + text + "'");
            break;
        }
        case ParameterType::Choice: {
            for (const auto& c : p.choices) {
                if (c == text)
                    return;
            }
            std::string list;
            for (const auto& c : p.choices)
                list += (list.empty() ? "" : ", ") + c;
            throw InvalidArgument(what + "must be one of " + list + ", got '" + text + "'");
        }
    }
}

}  // namespace

Parameters::Parameters(const OperationInfo& info, const std::map<std::string, std::string>& given)
    : operation_(info.id) {
    for (const auto& [name, text] : given) {
        bool known = false;
        for (const auto& p : info.parameters)
            known = known || p.name == name;
        if (!known) {
            std::string list;
            for (const auto& p : info.parameters)
                list += (list.empty() ? "" : ", ") + p.name;
            throw InvalidArgument(info.id + ": unknown parameter '" + name + "'" +
                                  (list.empty() ? " (it takes none)" : " (known: " + list + ")"));
        }
    }
    for (const auto& p : info.parameters) {
        auto it = given.find(p.name);
        const std::string& text = it == given.end() ? p.defaultValue : it->second;
        validate(info.id, p, text);
        values_[p.name] = {p.type, text};
    }
}

const std::string& Parameters::text(const std::string& name, ParameterType type) const {
    auto it = values_.find(name);
    if (it == values_.end())
        throw InvalidArgument(operation_ + ": no parameter '" + name + "'");
    // Reading a value as another type is a programming error in the operation.
    if (it->second.first != type) {
        throw InvalidArgument(operation_ + ": parameter '" + name + "' is read as the wrong type");
    }
    return it->second.second;
}

// The texts were validated in the constructor, so parsing them again cannot fail.
std::int64_t Parameters::integer(const std::string& name) const {
    std::int64_t v = 0;
    parseInteger(text(name, ParameterType::Integer), v);
    return v;
}

double Parameters::real(const std::string& name) const {
    double v = 0;
    parseReal(text(name, ParameterType::Real), v);
    return v;
}

bool Parameters::boolean(const std::string& name) const {
    bool v = false;
    parseBoolean(text(name, ParameterType::Boolean), v);
    return v;
}

const std::string& Parameters::choice(const std::string& name) const {
    return text(name, ParameterType::Choice);
}

}  // namespace tileflow
