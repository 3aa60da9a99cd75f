// tileflow-mpi: the batch processing of `tileflow process`, shared among the ranks of an MPI
// job: mpirun -n N tileflow-mpi process IN OUT.zarr --op ID ...
#include <pthread.h>
#include <signal.h>

#include <iostream>
#include <string>
#include <vector>

#include "cli/arguments.hpp"
#include "distributed_process.hpp"
#include "mpi_world.hpp"
#include "tileflow/error.hpp"

namespace {

constexpr const char* kUsage =
    "usage: mpirun -n N tileflow-mpi process IN OUT.zarr [the options of tileflow process]\n"
    "       mpirun -n N tileflow-mpi process --batch LIST OUTDIR [--out-suffix S]\n"
    "           [--skip-existing] [options]\n"
    "\n"
    "Each of the N ranks processes its share of the chunks of OUT (an OME-Zarr store) and of\n"
    "its pyramid, with OpenMP threads inside; rank 0 then completes the pyramid where shares\n"
    "meet and puts OUT in place. The result is the store `tileflow process IN OUT.zarr`\n"
    "writes, byte for byte. Without MPI, `tileflow process ... --shard i/n` and `tileflow\n"
    "finalize` do the same from separate processes.\n"
    "\n"
    "With --batch, the slides of LIST (one path per line) are shared among the ranks by size,\n"
    "largest first; each is written to OUTDIR/<name><suffix> (default .zarr). Rank 0 prints\n"
    "one line per slide and the count; a slide that fails fails only itself (exit status 1).\n"
    "--skip-existing keeps the outputs already there and shares only the rest.\n";

}  // namespace

int main(int argc, char** argv) {
    // Blocked before MPI starts its threads, so that they inherit the mask: SIGINT and SIGTERM
    // (mpirun forwards them) reach a run's SignalStop, which cancels it cleanly, instead of
    // killing the rank from another thread. Outside runs they stay pending.
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGINT);
    sigaddset(&stopSignals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
    const tileflow::mpi::World world(argc, argv);
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "-h" || args[0] == "--help") {
        if (world.root())
            (args.empty() ? std::cerr : std::cout) << kUsage;
        return args.empty() ? 2 : 0;
    }
    if (args[0] != "process") {
        if (world.root())
            std::cerr << "tileflow-mpi: unknown command '" << args[0] << "' (see --help)\n";
        return 2;
    }
    args.erase(args.begin());
    try {
        tileflow::cli::applyGlobalOptions(tileflow::cli::takeGlobalOptions(args));
    } catch (const tileflow::Error& e) {
        if (world.root())
            std::cerr << "tileflow-mpi: " << e.what() << '\n';
        return 2;
    }
    return tileflow::mpi::runDistributedProcess(args, world, std::cout, std::cerr);
}
