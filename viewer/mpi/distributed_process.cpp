#include "distributed_process.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iomanip>
#include <memory>
#include <optional>
#include <ostream>
#include <random>
#include <sstream>

#include "cli/arguments.hpp"
#include "cli/batch.hpp"
#include "cli/process_setup.hpp"
#include "cli/signal_stop.hpp"
#include "progress_relay.hpp"
#include "tileflow/engine.hpp"
#include "tileflow/error.hpp"
#include "tileflow/ome_zarr_shards.hpp"
#include "tileflow/region_run.hpp"

namespace tileflow::mpi {

namespace {

namespace fs = std::filesystem;

// Runs `step` on every rank, then tells every rank whether all succeeded: the exit status of
// the first failing rank (2 bad arguments, 130 cancelled, 1 anything else), 0 when none
// failed. Rank 0 prints the failures, once when every failing rank says the same.
int together(const World& world, std::ostream& err, const std::function<void()>& step) {
    int code = 0;
    std::string message;
    try {
        step();
    } catch (const Cancelled& e) {
        code = 130;
        message = e.what();
    } catch (const InvalidArgument& e) {
        code = 2;
        message = e.what();
    } catch (const std::exception& e) {
        code = 1;
        message = e.what();
    } catch (...) {  // every rank must reach the collective calls below
        code = 1;
        message = "failed with an exception that is not a std::exception";
    }
    const std::vector<double> codes = world.allGather(code);
    const std::vector<std::string> messages = world.gather(message);
    const auto failed = std::find_if(codes.begin(), codes.end(), [](double c) { return c != 0; });
    if (failed == codes.end())
        return 0;
    if (world.root()) {
        std::vector<std::size_t> failing;
        for (std::size_t r = 0; r < codes.size(); ++r) {
            if (codes[r] != 0)
                failing.push_back(r);
        }
        const bool same = std::all_of(failing.begin(), failing.end(), [&](std::size_t r) {
            return messages[r] == messages[failing.front()];
        });
        if (same && failing.size() > 1) {
            err << "tileflow-mpi: " << messages[failing.front()] << '\n';
        } else {
            for (const std::size_t r : failing)
                err << "tileflow-mpi: rank " << r << ": " << messages[r] << '\n';
        }
    }
    return static_cast<int>(*failed);
}

// mpirun signals the ranks when the user interrupts the job and when a rank has died: the
// other ranks may be gone, so no collective call could complete. A rank leaves at once; the
// engine has already aborted its sink (a store under its temporary name is left).
[[noreturn]] void leaveOnSignal(int signal) {
    std::_Exit(128 + signal);
}

std::string temporaryStoreFor(const std::string& output) {
    std::random_device random;
    std::ostringstream name;
    name << output << ".mpi-" << ::getpid() << '-' << std::hex << random() << random();
    return name.str();
}

// --batch: rank 0 reads the list; every rank processes the slides assigned to it, largest
// first; rank 0 prints the summary of all of them.
int runDistributedBatch(const cli::ProcessArguments& parsed, const World& world, std::ostream& out,
                        std::ostream& err) {
    std::string plan;
    if (const int code = together(world, err, [&] {
            if (!world.root())
                return;
            std::vector<cli::BatchItem> listed =
                cli::readBatchList(*parsed.batch, parsed.output, parsed.outputSuffix);
            if (parsed.skipExisting)
                cli::discountKeptOutputs(listed);
            plan = cli::encodeItems(listed);
            cli::prepareBatch(parsed);
        }))
        return code;
    const std::vector<cli::BatchItem> items = cli::decodeItems(world.broadcast(plan));
    std::vector<std::uintmax_t> costs;
    costs.reserve(items.size());
    for (const cli::BatchItem& item : items)
        costs.push_back(item.bytes);
    const std::vector<int> workers = cli::assignLargestFirst(costs, world.size());

    std::vector<cli::BatchOutcome> outcomes(items.size());
    {
        const cli::SignalStop signals;
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (workers[i] == world.rank())
                outcomes[i] = cli::processBatchItem(parsed, items[i], signals.token());
        }
        if (signals.signal() != 0)
            leaveOnSignal(signals.signal());
    }
    const std::vector<std::string> reports = world.gather(cli::encodeOutcomes(outcomes));
    std::string code;
    if (world.root()) {
        std::vector<std::vector<cli::BatchOutcome>> byRank;
        byRank.reserve(reports.size());
        for (const std::string& report : reports)
            byRank.push_back(cli::decodeOutcomes(report));
        for (std::size_t i = 0; i < items.size(); ++i)
            outcomes[i] = byRank[static_cast<std::size_t>(workers[i])][i];
        code = std::to_string(
            cli::printBatchSummary(items, outcomes, workers, "tileflow-mpi", out, err));
    }
    return std::stoi(world.broadcast(code));
}

}  // namespace

int runDistributedProcess(const std::vector<std::string>& args, const World& world,
                          std::ostream& out, std::ostream& err) {
    std::optional<cli::ProcessArguments> parsed;
    std::optional<cli::ProcessSetup> setup;
    if (const int code = together(world, err, [&] {
            parsed = cli::parseProcessArguments(args);
            if (!parsed->batch && !parsed->output.ends_with(".zarr"))
                throw InvalidArgument(
                    "the ranks write one OME-Zarr store: the output must end "
                    "in .zarr, not '" +
                    parsed->output + "'");
            if (parsed->shard)
                throw InvalidArgument(
                    "--shard is for separate processes; under MPI each rank "
                    "takes its own share");
            if (!parsed->batch)
                setup.emplace(*parsed);
        }))
        return code;
    if (parsed->batch)
        return runDistributedBatch(*parsed, world, out, err);

    std::string store;
    if (const int code = together(world, err, [&] {
            if (!world.root())
                return;
            const fs::path parent = fs::absolute(parsed->output).parent_path();
            if (!fs::is_directory(parent))
                throw IoError("cannot write '" + parsed->output + "': its folder does not exist");
            const fs::path output(parsed->output);
            if (fs::exists(output) && !fs::exists(output / ".zgroup") &&
                !fs::exists(output / ".zarray"))
                throw IoError("cannot write '" + parsed->output +
                              "': something that is not a zarr store exists there");
            // Absolute: ranks need not share a working folder.
            store = temporaryStoreFor(fs::absolute(parsed->output).string());
        }))
        return code;
    store = world.broadcast(store);

    const Shard shard{world.rank(), world.size()};
    double seconds = 0;
    const auto removeStore = [&] {
        std::error_code ec;
        if (world.root())
            fs::remove_all(store, ec);
    };
    if (const int code = together(world, err, [&] {
            const cli::SignalStop signals;
            // Next: every rank's relay must report to rank 0's, however the run goes.
            ShareProgress progress;
            std::optional<ProgressRelay> relay;
            if (world.serializedThreads())
                relay.emplace(world, progress, parsed->quiet ? "" : parsed->operation, err);
            const std::vector<Rect> mine =
                shardRegions(setup->source().info().size, setup->settings().tileSize, shard);
            progress.setRegions(mine);
            const TileFlow flow(setup->operation(), parsed->engine);
            Sink& sink = setup->output(std::make_unique<OmeZarrShardSink>(
                store, omeZarrOptionsFor(setup->settings()), shard));
            try {
                seconds =
                    runRegions(flow, setup->source(), sink, mine, {&progress, signals.token()})
                        .stats.elapsedSeconds;
            } catch (const Cancelled&) {
                if (signals.signal() != 0)
                    leaveOnSignal(signals.signal());
                throw;
            }
            progress.finish();
        })) {
        removeStore();
        return code;
    }
    if (const int code = together(world, err, [&] {
            if (world.root())
                finalizeOmeZarr(store, parsed->output);
        })) {
        removeStore();
        return code;
    }

    const std::vector<double> times = world.allGather(seconds);
    if (world.root() && !parsed->quiet) {
        out << std::fixed << std::setprecision(2) << parsed->operation << " on " << world.size()
            << " ranks: slowest " << *std::max_element(times.begin(), times.end()) << " s (ranks:";
        for (const double t : times)
            out << ' ' << t;
        out << ")\nwrote " << parsed->output << '\n';
    }
    return 0;
}

}  // namespace tileflow::mpi
