#include "arguments.hpp"

#include <algorithm>
#include <charconv>
#include <utility>

#include "tileflow/error.hpp"
#include "tileflow/limits.hpp"

namespace tileflow::cli {

namespace {

std::int64_t parseInteger(const std::string& text, const std::string& option, std::int64_t min,
                          std::int64_t max) {
    std::int64_t value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end || value < min || value > max) {
        throw InvalidArgument(option + " expects a whole number from " + std::to_string(min) +
                              " to " + std::to_string(max) + ", got '" + text + "'");
    }
    return value;
}

// Walks the arguments one by one; value() takes the value that follows an option.
class Cursor {
public:
    explicit Cursor(const std::vector<std::string>& args) : args_(args) {}
    bool done() const { return next_ >= args_.size(); }
    const std::string& take() { return args_[next_++]; }
    const std::string& value(const std::string& option) {
        if (done())
            throw InvalidArgument(option + " needs a value");
        return take();
    }

private:
    const std::vector<std::string>& args_;
    std::size_t next_ = 0;
};

std::pair<std::string, std::string> parseParameter(const std::string& text) {
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0) {
        throw InvalidArgument("--param expects key=value, got '" + text + "'");
    }
    return {text.substr(0, eq), text.substr(eq + 1)};
}

// Options shared by process and bench; returns false when `option` is not one of them.
bool parseEngineOption(const std::string& option, Cursor& cursor, EngineOptions& engine,
                       std::map<std::string, std::string>& parameters) {
    if (option == "--tile") {
        engine.tile = parseSize(cursor.value(option), option);
    } else if (option == "--overlap") {
        engine.overlap = parseInteger(cursor.value(option), option, 0, 1 << 20);
    } else if (option == "--mode") {
        const std::string& mode = cursor.value(option);
        auto parsed = parseReconstruction(mode);
        if (!parsed)
            throw InvalidArgument("--mode expects crop or blend, got '" + mode + "'");
        engine.reconstruction = *parsed;
    } else if (option == "--chunk") {
        engine.chunk = parseSize(cursor.value(option), option);
    } else if (option == "--threads") {
        engine.threads = static_cast<int>(parseInteger(cursor.value(option), option, 1, 1024));
    } else if (option == "--param") {
        auto [key, value] = parseParameter(cursor.value(option));
        if (parameters.count(key) != 0)
            throw InvalidArgument("--param " + key + " is given twice");
        parameters[key] = value;
    } else {
        return false;
    }
    return true;
}

}  // namespace

std::int64_t parseMemorySize(const std::string& text, const std::string& option) {
    const std::optional<std::int64_t> bytes = parseByteSize(text);
    if (!bytes || *bytes < kMinMaxMemoryBytes) {
        throw InvalidArgument(option +
                              " expects a size of at least 1M such as 512M, 4G or 1073741824 "
                              "(bytes), got '" +
                              text + "'");
    }
    return *bytes;
}

GlobalOptions takeGlobalOptions(std::vector<std::string>& args) {
    GlobalOptions options;
    std::vector<std::string> rest;
    Cursor cursor(args);
    while (!cursor.done()) {
        const std::string& arg = cursor.take();
        if (arg == "--max-memory") {
            options.maxMemoryBytes = parseMemorySize(cursor.value(arg), arg);
        } else {
            rest.push_back(arg);
        }
    }
    args = std::move(rest);
    return options;
}

void applyGlobalOptions(const GlobalOptions& options) {
    if (!options.maxMemoryBytes)
        return;
    ResourceLimits limits = resourceLimits();
    limits.maxMemoryBytes = *options.maxMemoryBytes;
    setResourceLimits(limits);
}

Size parseSize(const std::string& text, const std::string& option) {
    const auto x = text.find('x');
    const std::int64_t limit = std::int64_t{1} << 30;
    if (x == std::string::npos) {
        const std::int64_t n = parseInteger(text, option, 1, limit);
        return {n, n};
    }
    return {parseInteger(text.substr(0, x), option, 1, limit),
            parseInteger(text.substr(x + 1), option, 1, limit)};
}

namespace {

std::vector<std::string> splitCommas(const std::string& text) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (std::size_t comma; (comma = text.find(',', start)) != std::string::npos;
         start = comma + 1) {
        parts.push_back(text.substr(start, comma - start));
    }
    parts.push_back(text.substr(start));
    return parts;
}

}  // namespace

Rect parseRegion(const std::string& text) {
    const std::vector<std::string> parts = splitCommas(text);
    if (parts.size() != 4)
        throw InvalidArgument("--region expects x,y,w,h, got '" + text + "'");
    const std::int64_t limit = std::int64_t{1} << 40;
    return {parseInteger(parts[0], "--region x", 0, limit),
            parseInteger(parts[1], "--region y", 0, limit),
            parseInteger(parts[2], "--region w", 1, limit),
            parseInteger(parts[3], "--region h", 1, limit)};
}

Shard parseShard(const std::string& text) {
    const std::size_t slash = text.find('/');
    if (slash == std::string::npos)
        throw InvalidArgument("--shard expects i/n (shard i of n, from 0), got '" + text + "'");
    const auto count =
        static_cast<int>(parseInteger(text.substr(slash + 1), "--shard n", 1, 1 << 20));
    const auto index =
        static_cast<int>(parseInteger(text.substr(0, slash), "--shard i", 0, count - 1));
    return {index, count};
}

std::pair<double, double> parseRange(const std::string& text) {
    const std::vector<std::string> parts = splitCommas(text);
    std::pair<double, double> range;
    const auto number = [](const std::string& part, double& value) {
        const char* end = part.data() + part.size();
        auto [ptr, ec] = std::from_chars(part.data(), end, value);
        return ec == std::errc() && ptr == end;
    };
    if (parts.size() != 2 || !number(parts[0], range.first) || !number(parts[1], range.second) ||
        !(range.second > range.first)) {
        throw InvalidArgument("--out-range expects low,high with high > low, got '" + text + "'");
    }
    return range;
}

std::vector<int> parseChannels(const std::string& text) {
    std::vector<int> channels;
    for (const std::string& part : splitCommas(text)) {
        channels.push_back(static_cast<int>(parseInteger(part, "--channels", 0, 65535)));
    }
    return channels;
}

ProcessArguments parseProcessArguments(const std::vector<std::string>& args) {
    ProcessArguments parsed;
    std::vector<std::string> positional;
    Cursor cursor(args);
    while (!cursor.done()) {
        const std::string& arg = cursor.take();
        if (arg == "--op") {
            parsed.operation = cursor.value(arg);
        } else if (arg == "--level") {
            parsed.level = static_cast<int>(parseInteger(cursor.value(arg), arg, 0, 64));
        } else if (arg == "--region") {
            parsed.region = parseRegion(cursor.value(arg));
        } else if (arg == "--channels") {
            parsed.channels = parseChannels(cursor.value(arg));
        } else if (arg == "--compression") {
            parsed.compression = cursor.value(arg);
        } else if (arg == "--out-tile") {
            parsed.outputTile = parseInteger(cursor.value(arg), arg, 16, 8192);
        } else if (arg == "--out-dtype") {
            const std::string& name = cursor.value(arg);
            parsed.outputDtype = parseDType(name);
            if (!parsed.outputDtype) {
                throw InvalidArgument("--out-dtype expects u8, i8, u16, i16, u32 or f32, got '" +
                                      name + "'");
            }
        } else if (arg == "--out-range") {
            parsed.outputRange = parseRange(cursor.value(arg));
        } else if (arg == "--shard") {
            parsed.shard = parseShard(cursor.value(arg));
        } else if (arg == "--batch") {
            parsed.batch = cursor.value(arg);
        } else if (arg == "--out-suffix") {
            parsed.outputSuffix = cursor.value(arg);
        } else if (arg == "--skip-existing") {
            parsed.skipExisting = true;
        } else if (arg == "--quiet" || arg == "-q") {
            parsed.quiet = true;
        } else if (!parseEngineOption(arg, cursor, parsed.engine, parsed.parameters)) {
            if (arg.size() > 1 && arg[0] == '-') {
                throw InvalidArgument("process: unknown option '" + arg + "'");
            }
            positional.push_back(arg);
        }
    }
    if (parsed.batch) {
        if (positional.size() != 1) {
            throw InvalidArgument("process --batch LIST expects one output folder, got " +
                                  std::to_string(positional.size()) + " file arguments");
        }
        if (parsed.shard)
            throw InvalidArgument("--shard splits one image, not a --batch list");
        static const std::vector<std::string> kSuffixes{".zarr",    ".ome.zarr", ".tif", ".tiff",
                                                        ".ome.tif", ".ome.tiff", ".npy"};
        if (std::find(kSuffixes.begin(), kSuffixes.end(), parsed.outputSuffix) == kSuffixes.end())
            throw InvalidArgument(
                "--out-suffix expects .zarr, .ome.zarr, .tif, .tiff, .ome.tif, .ome.tiff or "
                ".npy, got '" +
                parsed.outputSuffix + "'");
        parsed.output = positional[0];
        return parsed;
    }
    if (std::find(args.begin(), args.end(), "--out-suffix") != args.end())
        throw InvalidArgument("--out-suffix names the outputs of a --batch list");
    if (parsed.skipExisting)
        throw InvalidArgument("--skip-existing keeps the outputs of a --batch list");
    if (positional.size() != 2) {
        throw InvalidArgument("process expects an input and an output, got " +
                              std::to_string(positional.size()) + " file arguments");
    }
    parsed.input = positional[0];
    parsed.output = positional[1];
    return parsed;
}

BenchArguments parseBenchArguments(const std::vector<std::string>& args) {
    BenchArguments parsed;
    Cursor cursor(args);
    while (!cursor.done()) {
        const std::string& arg = cursor.take();
        if (arg == "--size") {
            parsed.size = parseInteger(cursor.value(arg), arg, 1, std::int64_t{1} << 20);
        } else if (arg == "--channels") {
            parsed.channels = static_cast<int>(parseInteger(cursor.value(arg), arg, 1, 4096));
        } else if (arg == "--dtype") {
            const std::string& name = cursor.value(arg);
            auto dtype = parseDType(name);
            if (!dtype)
                throw InvalidArgument("--dtype expects u8, i8, u16, i16, u32 or f32, got '" + name +
                                      "'");
            parsed.dtype = *dtype;
        } else if (arg == "--op") {
            parsed.operation = cursor.value(arg);
        } else if (arg == "--repeat") {
            parsed.repeat = static_cast<int>(parseInteger(cursor.value(arg), arg, 1, 1000));
        } else if (arg == "--json") {
            parsed.json = true;
        } else if (arg == "--stream") {
            parsed.stream = true;
        } else if (arg == "--io") {
            parsed.io = true;
        } else if (arg == "--compression") {
            parsed.compression = cursor.value(arg);
        } else if (arg == "--dir") {
            parsed.folder = cursor.value(arg);
        } else if (!parseEngineOption(arg, cursor, parsed.engine, parsed.parameters)) {
            throw InvalidArgument("bench: unknown argument '" + arg + "'");
        }
    }
    if (parsed.json && !parsed.size)
        throw InvalidArgument("bench --json runs one case: give --size");
    return parsed;
}

}  // namespace tileflow::cli
