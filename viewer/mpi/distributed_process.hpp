// tileflow-mpi process IN OUT.zarr ...: the arguments of `tileflow process`, the work shared
// among the ranks of an MPI job. Rank r processes shard r of n of the output's chunks into a
// store beside OUT named by rank 0 (OUT.mpi-<pid>-<random>); after all have finished, rank 0
// builds the pyramid and renames the store to OUT. A rank that fails fails the job with its
// message, and the store is removed; a job killed part-way leaves only the unfinished store
// under its temporary name, which no reader takes for an image. Every rank runs OpenMP.
// SIGINT or SIGTERM (mpirun's, when interrupted or when a rank died) makes a rank stop its
// run and exit at once with 128 + the signal.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "mpi_world.hpp"

namespace tileflow::mpi {

// Collective: every rank calls it with the same arguments. Returns the exit status, the same
// on every rank; rank 0 prints the summary and the failures.
int runDistributedProcess(const std::vector<std::string>& args, const World& world,
                          std::ostream& out, std::ostream& err);

}  // namespace tileflow::mpi
