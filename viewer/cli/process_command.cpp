// tileflow process IN OUT --op ID ...: streams an image through one operation (or, with
// --shard, one share of it into an OME-Zarr store; with --batch, many images, see batch.hpp);
// tileflow finalize STORE finishes such a store.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>

#include "arguments.hpp"
#include "batch.hpp"
#include "commands.hpp"
#include "operation_lookup.hpp"
#include "process_setup.hpp"
#include "signal_stop.hpp"
#include "tileflow/error.hpp"
#include "tileflow/monitors.hpp"
#include "tileflow/ome_zarr_shards.hpp"
#include "tileflow/open.hpp"
#include "tileflow/region_run.hpp"
#include "tileflow/registry.hpp"
#include "tileflow/zarr.hpp"

namespace tileflow::cli {

namespace {

// "[########............]" for a fraction in [0, 1].
std::string progressBar(double fraction) {
    constexpr int kWidth = 24;
    const int filled = std::clamp(static_cast<int>(fraction * kWidth), 0, kWidth);
    return "[" + std::string(static_cast<std::size_t>(filled), '#') +
           std::string(static_cast<std::size_t>(kWidth - filled), '.') + "]";
}

std::string describe(const ImageInfo& info) {
    return std::to_string(info.size.width) + "x" + std::to_string(info.size.height) + "x" +
           std::to_string(info.channels) + " " + std::string(dtypeName(info.dtype));
}

void printParameters(const OperationInfo& info, std::ostream& out) {
    for (const ParameterInfo& p : info.parameters) {
        out << "      --param " << p.name << "=<" << p.defaultValue << ">";
        if (p.type == ParameterType::Choice) {
            out << "  one of:";
            for (const auto& c : p.choices)
                out << ' ' << c;
        } else if (p.type != ParameterType::Boolean) {
            out << "  [" << p.minimum << ", " << p.maximum << "]"
                << (p.unit.empty() ? "" : " " + p.unit);
        }
        out << "  " << p.description << '\n';
    }
}

}  // namespace

int runProcess(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    const ProcessArguments parsed = parseProcessArguments(args);
    if (parsed.batch)
        return runBatchProcess(parsed, out, err);
    ProcessSetup setup(parsed);
    const auto& op = setup.operation();
    const Source* source = &setup.source();
    const OutputSettings& settings = setup.settings();
    // A shard writes its share of the chunks into a store other processes fill too.
    std::unique_ptr<Sink> fileSink;
    if (parsed.shard) {
        if (!parsed.output.ends_with(".zarr"))
            throw InvalidArgument(
                "--shard writes into an OME-Zarr store: the output must end in "
                ".zarr, not '" +
                parsed.output + "'");
        fileSink = std::make_unique<OmeZarrShardSink>(parsed.output, omeZarrOptionsFor(settings),
                                                      *parsed.shard);
    } else {
        fileSink = createSink(parsed.output, settings);
    }
    Sink* sink = &setup.output(std::move(fileSink));

    // A live progress line only on a terminal; logs and pipes get the summary alone.
    const bool live = !parsed.quiet && isatty(STDERR_FILENO) != 0;
    const ProgressMonitor* self = nullptr;  // the line printer reads the monitor it serves
    ProgressMonitor progress(parsed.operation, [&err, &self](const std::string& line) {
        err << '\r' << progressBar(self->status().fraction) << ' ' << line << "\x1b[K"
            << std::flush;
    });
    self = &progress;
    const TileFlow flow = TileFlow(parsed.engine).configure(op);
    const SignalStop signals;
    RunReport report;
    try {
        const RunControl control{live ? &progress : nullptr, signals.token()};
        report =
            parsed.shard
                ? runRegions(flow, *source, *sink,
                             shardRegions(source->info().size, settings.tileSize, *parsed.shard),
                             control)
                : flow.run(*source, *sink, control);
    } catch (...) {
        if (live)
            err << '\n';  // end the progress line before the error message
        throw;
    }
    if (live)
        err << '\n';
    if (parsed.quiet)
        return 0;

    // Throughput counts the image once, whatever statistics passes the operation ran.
    const ImageInfo in = source->info();
    const double seconds = report.stats.elapsedSeconds;
    const std::int64_t pixels = parsed.shard ? report.stats.pixelsTotal : in.size.area();
    const double megapixels = static_cast<double>(pixels) * in.channels / 1e6;
    const std::int64_t peakRss = processMemory().value_or(ProcessMemory{}).peakRssBytes;
    ImageInfo written = op->outputInfo(in);
    written.dtype = parsed.outputDtype.value_or(written.dtype);
    out << std::fixed << std::setprecision(2) << parsed.operation << ": " << describe(in) << " -> "
        << describe(written) << " in " << seconds << " s (" << megapixels / seconds << " MP/s, "
        << report.stats.tilesDone << " tiles, overlap " << report.overlap << ", peak RSS "
        << peakRss / (1 << 20) << " MiB, engine " << report.stats.enginePeakBytes / (1 << 20)
        << " MiB)\n";
    for (const std::string& note : report.notes)
        out << "note: " << note << '\n';
    for (const Measurement& measurement : report.measurements) {
        out << measurement.name << " = " << std::setprecision(6) << std::defaultfloat
            << measurement.value << '\n';
    }
    if (parsed.shard) {
        out << "wrote shard " << parsed.shard->index << '/' << parsed.shard->count << " of "
            << parsed.output << "; once every shard has, finish it with: tileflow finalize "
            << parsed.output << '\n';
    } else {
        out << "wrote " << parsed.output << '\n';
    }
    return 0;
}

int runFinalize(const std::vector<std::string>& args, std::ostream& out) {
    if (args.size() != 1 || args[0].starts_with('-'))
        throw InvalidArgument("finalize expects one OME-Zarr store written in shards");
    const std::string& store = args[0];
    if (!finalizeOmeZarr(store)) {
        out << store << " is finished already\n";
        return 0;
    }
    const ZarrSource finished(store);
    out << "finished " << store << ": " << describe(finished.info()) << ", "
        << finished.metadata().levels.size() << " levels\n";
    return 0;
}

int runOps(std::ostream& out) {
    // An id listed by an earlier provider hides the same id further down.
    std::map<std::string, std::string> providerOf;
    for (const OperationProvider& provider : operationProviders()) {
        const bool compiledIn = provider.plugin == nullptr;
        std::vector<const OperationInfo*> shown;
        for (const OperationInfo& info : provider.operations) {
            // The compiled-in registry is only listed for what no plugin provides.
            if (!compiledIn || providerOf.count(info.id) == 0)
                shown.push_back(&info);
        }
        if (shown.empty() && provider.error.empty())
            continue;
        if (compiledIn)
            out << "compiled in (no plugin provides these):\n";
        else
            out << "plugin " << provider.name << ' ' << provider.version << " (" << provider.path
                << "):\n";
        if (!provider.error.empty())
            out << "  error: " << provider.error << '\n';
        for (const OperationInfo* info : shown) {
            const auto [first, isFirst] = providerOf.emplace(info->id, provider.name);
            out << "  " << info->id << " - " << info->name;
            if (!isFirst)
                out << "  (hidden by plugin " << first->second << ")";
            out << "\n      " << info->description << '\n';
            printParameters(*info, out);
        }
    }
    return 0;
}

}  // namespace tileflow::cli
