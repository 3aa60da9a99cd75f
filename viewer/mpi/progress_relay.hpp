// The progress of a tileflow-mpi job, seen on rank 0. Each rank counts the pixels of its own
// share as its run goes (ShareProgress, a run's Callbacks); a relay thread on every rank
// sends that fraction to rank 0 about once a second, and rank 0's prints the whole job's
// progress with every rank's, about every `interval`, and a last line once every rank is done.
//
// MPI: while a relay runs, its thread is the only one of the process that calls MPI (the
// World is initialised with MPI_THREAD_SERIALIZED); construct it after the last collective
// call before the run and destroy it before the first after. Destruction on rank 0 waits
// until every rank's relay has sent its last report, which each does when it is destroyed,
// whether its run succeeded or failed.
#pragma once

#include <chrono>
#include <iosfwd>
#include <string>
#include <thread>
#include <vector>

#include "mpi_world.hpp"
#include "share_progress.hpp"

namespace tileflow::mpi {

class ProgressRelay {
public:
    ProgressRelay(const World& world, const ShareProgress& progress, std::string label,
                  std::ostream& err, std::chrono::milliseconds interval = std::chrono::seconds(5));
    ~ProgressRelay();
    ProgressRelay(const ProgressRelay&) = delete;
    ProgressRelay& operator=(const ProgressRelay&) = delete;

private:
    void sendReports(const std::stop_token& stop);
    void printReports(const std::stop_token& stop);
    void print(const std::vector<double>& fractions);

    const World& world_;
    const ShareProgress& progress_;
    const std::string label_;
    std::ostream& err_;
    const std::chrono::milliseconds interval_;
    std::jthread thread_;
};

}  // namespace tileflow::mpi
