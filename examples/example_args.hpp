// The examples' command line: file names in the order given, and `--name value` options
// from a list each example declares. An unknown option, a missing value or a number that
// does not parse throws std::invalid_argument with a message naming the option, so that an
// example reports a typo instead of running with a default.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace examples {

class Args {
public:
    Args(int argc, char** argv, const std::vector<std::string>& optionNames) {
        for (int i = 1; i < argc; ++i) {
            const std::string arg = argv[i];
            if (arg.rfind("--", 0) != 0) {
                files_.push_back(arg);
                continue;
            }
            const std::string name = arg.substr(2);
            bool known = false;
            for (const std::string& n : optionNames)
                known = known || n == name;
            if (!known)
                throw std::invalid_argument("unknown option " + arg);
            if (i + 1 == argc)
                throw std::invalid_argument(arg + " needs a value");
            options_[name] = argv[++i];
        }
    }

    // The index-th file name, or `fallback` when fewer were given.
    std::string file(std::size_t index, const std::string& fallback) const {
        return index < files_.size() ? files_[index] : fallback;
    }

    std::string text(const std::string& name, const std::string& fallback) const {
        const auto it = options_.find(name);
        return it == options_.end() ? fallback : it->second;
    }

    // A whole number of at least `minimum`.
    std::int64_t integer(const std::string& name, std::int64_t fallback,
                         std::int64_t minimum = 1) const {
        const auto it = options_.find(name);
        if (it == options_.end())
            return fallback;
        const std::string& s = it->second;
        std::int64_t value = 0;
        const auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), value);
        if (error != std::errc() || end != s.data() + s.size() || value < minimum)
            throw std::invalid_argument("--" + name + " needs a whole number of at least " +
                                        std::to_string(minimum) + ", not '" + s + "'");
        return value;
    }

    // A finite number greater than 0.
    double positive(const std::string& name, double fallback) const {
        const auto it = options_.find(name);
        if (it == options_.end())
            return fallback;
        const std::string& s = it->second;
        double value = 0;
        const auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), value);
        if (error != std::errc() || end != s.data() + s.size() || !std::isfinite(value) ||
            value <= 0)
            throw std::invalid_argument("--" + name + " needs a number greater than 0, not '" + s +
                                        "'");
        return value;
    }

private:
    std::vector<std::string> files_;
    std::map<std::string, std::string> options_;
};

}  // namespace examples
