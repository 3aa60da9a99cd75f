// Command-line parsing for the tileflow batch subcommands.
//
// Parsing is separate from running so it can be tested (and fuzzed) on its own. Every
// malformed argument throws tileflow::InvalidArgument with a message that names the option
// and what it expects; nothing is printed here.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tileflow/engine.hpp"
#include "tileflow/ome_zarr_shards.hpp"

namespace tileflow::cli {

struct ProcessArguments {
    std::string input;   // any image tileflow::openSource() reads; empty with --batch
    std::string output;  // any output tileflow::createSink() writes; with --batch, a folder
    std::string operation = "copy";
    std::optional<int> level;    // pyramid level to process
    std::optional<Rect> region;  // in the pixels of that level
    std::optional<std::vector<int>> channels;
    std::optional<std::string> compression;  // output compression, by the writer's names
    std::int64_t outputTile = 512;           // output tile (TIFF) or chunk (zarr) side
    std::optional<DType> outputDtype;        // convert the result (see ConvertingSink)
    std::optional<std::pair<double, double>> outputRange;
    std::map<std::string, std::string> parameters;
    EngineOptions engine;
    std::optional<Shard> shard;          // write only this share of an OME-Zarr output's chunks
    std::optional<std::string> batch;    // a list of inputs (see batch.hpp), one output each
    std::string outputSuffix = ".zarr";  // --batch: what each output's name ends in
    bool skipExisting = false;           // --batch: keep outputs there already (a rerun)
    bool quiet = false;
};

struct BenchArguments {
    // One case when size is given, the reference table otherwise.
    std::optional<std::int64_t> size;
    int channels = 8;
    DType dtype = DType::F32;
    std::string operation = "sobel";
    std::map<std::string, std::string> parameters;
    EngineOptions engine;
    int repeat = 3;
    bool json = false;
    bool stream = false;  // read from the synthetic source chunk by chunk instead of memory
    bool io = false;      // out of core: tiled TIFF in, tiled TIFF out, on disk
    std::optional<std::string> compression;  // --io: output compression; else all of them
    std::string folder;                      // --io: where the files go; empty: temp folder
};

// Options every command takes, anywhere after the command:
//   --max-memory SIZE  tileflow::ResourceLimits::maxMemoryBytes (parseMemorySize).
struct GlobalOptions {
    std::optional<std::int64_t> maxMemoryBytes;
};

// Removes the global options from `args` and returns them.
GlobalOptions takeGlobalOptions(std::vector<std::string>& args);
// Sets the process-wide resource limits the options name.
void applyGlobalOptions(const GlobalOptions& options);

ProcessArguments parseProcessArguments(const std::vector<std::string>& args);
BenchArguments parseBenchArguments(const std::vector<std::string>& args);

// Bytes in binary units, "1073741824", "512K", "512M", "4G", "1T": at least 1 MiB.
std::int64_t parseMemorySize(const std::string& text, const std::string& option);
// "N" or "WxH", both positive.
Size parseSize(const std::string& text, const std::string& option);
// "x,y,w,h" with w, h positive.
Rect parseRegion(const std::string& text);
// "i/n": shard i of n, 0 <= i < n.
Shard parseShard(const std::string& text);
// "low,high" with high > low.
std::pair<double, double> parseRange(const std::string& text);
// "0,2,3": channel indices.
std::vector<int> parseChannels(const std::string& text);

}  // namespace tileflow::cli
