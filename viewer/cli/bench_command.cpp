// tileflow bench: the throughput table, or one case (--size) as text or JSON.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>

#include "arguments.hpp"
#include "bench_io.hpp"
#include "commands.hpp"
#include "reference_sobel.hpp"
#include "tileflow/error.hpp"
#include "tileflow/monitors.hpp"
#include "tileflow/registry.hpp"
#include "tileflow/synthetic.hpp"

namespace tileflow::cli {

namespace {

struct Result {
    std::vector<double> seconds;        // per tile size asked for
    std::vector<double> mpixPerSecond;  // channel-pixels per second, per tile size
    std::optional<double> referenceMpixPerSecond;
    std::int64_t peakRssBytes = 0;
    std::int64_t engineBytes = 0;
    std::int64_t overlap = 0;
};

// Discards the result; streaming benchmarks measure the engine, not a disk.
class NullSink final : public Sink {
public:
    void begin(const ImageInfo&) override {}
    void write(const Rect&, ConstImageView) override {}
    void commit() override {}
    void abort() noexcept override {}
};

double secondsOf(const std::function<void()>& work) {
    const auto begin = std::chrono::steady_clock::now();
    work();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
}

// Best of `repeat` timed runs after one warm-up, which also touches the output buffers.
double bestOf(int repeat, const std::function<void()>& work) {
    work();
    double best = secondsOf(work);
    for (int i = 1; i < repeat; ++i)
        best = std::min(best, secondsOf(work));
    return best;
}

// Restarts the kernel's peak-RSS count (VmHWM), so each case reports its own peak. Where
// /proc/self/clear_refs is not writable the figure stays the process-wide peak.
void resetPeakRss() {
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";
}

// One image, processed with each of `tiles` (buffers allocated once and shared).
Result runCase(const BenchArguments& args, std::int64_t size, int channels,
               const std::vector<Size>& tiles) {
    resetPeakRss();
    const SyntheticSource source(SyntheticSpec{{size, size}, channels, args.dtype, 1});
    const auto op = createOperation(args.operation, args.parameters);
    const int threads = args.engine.threads > 0 ? args.engine.threads : omp_get_max_threads();
    const double channelPixels = static_cast<double>(size) * static_cast<double>(size) * channels;
    const std::optional<Image> input =
        args.stream ? std::nullopt : std::optional<Image>(readImage(source, threads));
    std::optional<Image> output;
    if (input)
        output.emplace(op->outputInfo(input->info()));
    Result result;
    for (Size tile : tiles) {
        EngineOptions options = args.engine;
        options.tile = tile;
        const TileFlow flow = TileFlow(options).configure(op);
        RunReport report;
        NullSink sink;
        const double seconds = bestOf(args.repeat, [&] {
            report = input ? flow.run(*input, *output) : flow.run(source, sink);
        });
        result.seconds.push_back(seconds);
        result.mpixPerSecond.push_back(channelPixels / seconds / 1e6);
        result.engineBytes = std::max(result.engineBytes, report.stats.enginePeakBytes);
        result.overlap = report.overlap;
    }
    if (input && args.operation == "sobel" && args.dtype == DType::F32) {
        const double reference =
            bestOf(args.repeat, [&] { referenceSobel(*input, *output, threads); });
        result.referenceMpixPerSecond = channelPixels / reference / 1e6;
    }
    result.peakRssBytes = processMemory().value_or(ProcessMemory{}).peakRssBytes;
    return result;
}

void printJson(std::ostream& out, const BenchArguments& args, std::int64_t size, const Result& r) {
    const int threads = args.engine.threads > 0 ? args.engine.threads : omp_get_max_threads();
    out << std::setprecision(6) << "{\"op\":\"" << args.operation << "\",\"size\":" << size
        << ",\"channels\":" << args.channels << ",\"dtype\":\"" << dtypeName(args.dtype)
        << "\",\"tile\":\"" << args.engine.tile.width << "x" << args.engine.tile.height
        << "\",\"overlap\":" << r.overlap << ",\"mode\":\""
        << reconstructionName(args.engine.reconstruction)
        << "\",\"stream\":" << (args.stream ? "true" : "false") << ",\"threads\":" << threads
        << ",\"seconds\":" << r.seconds[0] << ",\"mpix_per_s\":" << r.mpixPerSecond[0]
        << ",\"peak_rss_bytes\":" << r.peakRssBytes << ",\"engine_bytes\":" << r.engineBytes;
    if (r.referenceMpixPerSecond)
        out << ",\"reference_loop_mpix_per_s\":" << *r.referenceMpixPerSecond;
    out << "}\n";
}

std::string mib(std::int64_t bytes) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(0) << static_cast<double>(bytes) / (1 << 20) << " MiB";
    return s.str();
}

}  // namespace

int runBench(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    const BenchArguments parsed = parseBenchArguments(args);
    if (parsed.io)
        return runIoBench(parsed, out, err);
    if (parsed.size) {
        const Result r = runCase(parsed, *parsed.size, parsed.channels, {parsed.engine.tile});
        if (parsed.json) {
            printJson(out, parsed, *parsed.size, r);
        } else {
            out << std::fixed << parsed.operation << " " << *parsed.size << "^2 x "
                << parsed.channels << " " << dtypeName(parsed.dtype) << ": " << std::setprecision(3)
                << r.seconds[0] << " s, " << std::setprecision(0) << r.mpixPerSecond[0] << " MP/s";
            if (r.referenceMpixPerSecond) {
                out << " (plain untiled loop " << *r.referenceMpixPerSecond << " MP/s)";
            }
            out << ", peak RSS " << mib(r.peakRssBytes) << ", engine " << mib(r.engineBytes)
                << '\n';
        }
        return 0;
    }
    // The original TileFlow's table: Sobel on synthetic f32 images held in memory, at three
    // tile sizes, against a plain untiled loop over the same buffers.
    const std::pair<std::int64_t, int> cases[] = {{2048, 8}, {4096, 16}, {8192, 32}, {16384, 8}};
    const std::vector<Size> tiles{{512, 512}, {1024, 1024}, {2048, 2048}};
    out << "| image | channels | MP/s, tile 512 | MP/s, tile 1024 | MP/s, tile 2048 "
           "| MP/s, plain loop | peak RSS |\n"
        << "|---|---|---|---|---|---|---|\n";
    for (const auto& [size, channels] : cases) {
        err << "bench: " << size << "^2 x " << channels << "...\n";
        const Result r = runCase(parsed, size, channels, tiles);
        out << std::fixed << std::setprecision(0) << "| " << size << "² | " << channels << " | ";
        for (double mpix : r.mpixPerSecond)
            out << mpix << " | ";
        out << r.referenceMpixPerSecond.value_or(0) << " | " << mib(r.peakRssBytes) << " |\n"
            << std::flush;
    }
    return 0;
}

}  // namespace tileflow::cli
