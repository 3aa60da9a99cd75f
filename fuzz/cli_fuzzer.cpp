// Fuzz target: the tileflow command line (viewer/cli/arguments.hpp): takeGlobalOptions,
// parseProcessArguments and parseBenchArguments on the whole argument list, and each value
// parser (parseRegion, parseSize, parseMemorySize, parseRange, parseChannels) on every
// argument. The input is the argument list, arguments separated by NUL bytes. Only
// tileflow::Error is an expected failure; parsed values must keep the promises of the header.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cli/arguments.hpp"
#include "fuzz_support.hpp"
#include "tileflow/error.hpp"

namespace {

template <typename Parse>
void attempt(Parse parse) {
    try {
        parse();
    } catch (const tileflow::Error&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace cli = tileflow::cli;
    using tileflow::fuzz::require;
    std::vector<std::string> args(1);
    for (std::size_t i = 0; i < size; ++i) {
        if (data[i] == 0)
            args.emplace_back();
        else
            args.back().push_back(static_cast<char>(data[i]));
    }

    attempt([args]() mutable {
        const cli::GlobalOptions global = cli::takeGlobalOptions(args);
        require(!global.maxMemoryBytes || *global.maxMemoryBytes >= tileflow::kMinMaxMemoryBytes,
                "--max-memory is at least 1 MiB");
        cli::parseProcessArguments(args);
    });
    attempt([&args] { cli::parseBenchArguments(args); });
    for (const std::string& arg : args) {
        attempt([&arg] {
            const tileflow::Rect region = cli::parseRegion(arg);
            require(region.x >= 0 && region.y >= 0 && region.width > 0 && region.height > 0,
                    "parseRegion gives a non-negative origin and a positive size");
        });
        attempt([&arg] {
            const tileflow::Size tile = cli::parseSize(arg, "--tile");
            require(tile.width > 0 && tile.height > 0, "parseSize gives a positive size");
        });
        attempt([&arg] {
            require(cli::parseMemorySize(arg, "--max-memory") >= tileflow::kMinMaxMemoryBytes,
                    "parseMemorySize gives at least 1 MiB");
        });
        attempt([&arg] {
            const auto [low, high] = cli::parseRange(arg);
            require(high > low, "parseRange gives high > low");
        });
        attempt([&arg] {
            for (const int channel : cli::parseChannels(arg))
                require(channel >= 0, "parseChannels gives non-negative indices");
        });
    }
    return 0;
}
