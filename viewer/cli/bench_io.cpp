// tileflow bench --io: out-of-core throughput. A synthetic image is first written to disk as
// an uncompressed tiled TIFF; the timed run then streams it through the operation into a
// tiled pyramidal TIFF, chunk by chunk, including the final fsync and rename. Peak RSS is the
// process's high-water mark during the timed run.
#include "bench_io.hpp"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>

#include "tileflow/error.hpp"
#include "tileflow/monitors.hpp"
#include "tileflow/registry.hpp"
#include "tileflow/synthetic.hpp"
#include "tileflow/tiff_sink.hpp"
#include "tileflow/tiff_source.hpp"

namespace tileflow::cli {

namespace {

namespace fs = std::filesystem;

struct IoCase {
    std::int64_t size;
    int channels;
    DType dtype;
};

struct IoResult {
    double seconds = 0;
    double mpixPerSecond = 0;
    std::int64_t peakRssBytes = 0;
    std::int64_t outputBytes = 0;
};

// A folder of our own for the bench files, removed again when the bench ends.
class ScratchFolder {
public:
    explicit ScratchFolder(const std::string& parent) {
        // The current folder by default: /tmp is often in memory, which would measure RAM.
        const fs::path base = parent.empty() ? fs::current_path() : fs::path(parent);
        path_ = base / ("tileflow-bench-" + std::to_string(::getpid()));
        fs::create_directories(path_);
    }
    ~ScratchFolder() {
        std::error_code ignored;  // best effort: a leftover scratch folder is not an error
        fs::remove_all(path_, ignored);
    }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

void resetPeakRss() {
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";
}

std::string inputFile(const ScratchFolder& folder, const IoCase& c) {
    const fs::path path =
        folder.path() / ("in-" + std::to_string(c.size) + "x" + std::to_string(c.channels) + "-" +
                         std::string(dtypeName(c.dtype)) + ".tif");
    if (!fs::exists(path)) {
        const SyntheticSource synthetic({{c.size, c.size}, c.channels, c.dtype, 1});
        TiffSink sink(path.string(), {.compression = TiffCompression::None, .levels = 1});
        TileFlow().configure(createOperation("copy")).run(synthetic, sink);
    }
    return path.string();
}

IoResult runIoCase(const BenchArguments& args, const ScratchFolder& folder, const IoCase& c,
                   TiffCompression compression) {
    const std::string input = inputFile(folder, c);
    const std::string output = (folder.path() / "out.tif").string();
    const auto op = createOperation(args.operation, args.parameters);
    const EngineOptions& engine = args.engine;
    const TileFlow flow = TileFlow(engine).configure(op);
    resetPeakRss();
    const auto begin = std::chrono::steady_clock::now();
    {
        const TiffSource source(input);
        TiffSink sink(output, {.compression = compression, .threads = engine.threads});
        flow.run(source, sink);
    }
    IoResult r;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    r.mpixPerSecond =
        static_cast<double>(c.size) * static_cast<double>(c.size) * c.channels / r.seconds / 1e6;
    r.peakRssBytes = processMemory().value_or(ProcessMemory{}).peakRssBytes;
    r.outputBytes = static_cast<std::int64_t>(fs::file_size(output));
    fs::remove(output);
    return r;
}

}  // namespace

int runIoBench(const BenchArguments& args, std::ostream& out, std::ostream& err) {
    std::vector<IoCase> cases;
    if (args.size) {
        cases.push_back({*args.size, args.channels, args.dtype});
    } else {
        for (DType dtype : {DType::U8, DType::U16, DType::F32})
            cases.push_back({16384, 1, dtype});
        cases.push_back({16384, 8, DType::F32});
    }
    std::vector<TiffCompression> compressions;
    if (args.compression) {
        const auto parsed = parseTiffCompression(*args.compression);
        if (!parsed)
            throw InvalidArgument("--compression expects none, deflate, zstd or jpeg, got '" +
                                  *args.compression + "'");
        compressions.push_back(*parsed);
    } else {
        compressions = {TiffCompression::None, TiffCompression::Deflate, TiffCompression::Zstd};
    }
    const ScratchFolder folder(args.folder);
    out << "| input (tiled TIFF) | " << args.operation
        << " -> tiled TIFF | seconds | MP/s (channel-pixels) | output | peak RSS |\n"
        << "|---|---|---|---|---|---|\n";
    for (const IoCase& c : cases) {
        for (TiffCompression compression : compressions) {
            err << "bench --io: " << c.size << "^2 x " << c.channels << " " << dtypeName(c.dtype)
                << ", " << tiffCompressionName(compression) << "...\n";
            const IoResult r = runIoCase(args, folder, c, compression);
            out << std::fixed << std::setprecision(1) << "| " << c.size << "² × " << c.channels
                << " " << dtypeName(c.dtype) << " | " << tiffCompressionName(compression) << " | "
                << std::setprecision(2) << r.seconds << " | " << std::setprecision(0)
                << r.mpixPerSecond << " | " << r.outputBytes / (1 << 20) << " MiB | "
                << r.peakRssBytes / (1 << 20) << " MiB |\n"
                << std::flush;
        }
    }
    out << "(seconds include reading, processing, compressing, writing all levels, fsync and "
           "rename)\n";
    return 0;
}

}  // namespace tileflow::cli
