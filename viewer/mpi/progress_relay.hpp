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

#include <atomic>
#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <thread>
#include <vector>

#include "mpi_world.hpp"
#include "tileflow/engine.hpp"

namespace tileflow::mpi {

// The fraction of a share done, over the runs of its regions: runRegions makes one run per
// region, in the order given, after statistics passes over the whole image (not counted).
// A region weighs its area; within its run, the fraction of the run's pixels done. The
// engine calls the callbacks one at a time, from its worker threads; fraction() may be
// called from any thread.
class ShareProgress final : public Callbacks {
public:
    // The regions the runs will be over, in order.
    void setRegions(const std::vector<Rect>& regions);
    // The share is done (also when it has no region).
    void finish() { fraction_ = 1.0; }
    void onStart(const RunStats& stats) override;
    void onChunkEnd(const Rect& chunk, const RunStats& stats) override;
    double fraction() const { return fraction_.load(); }

private:
    std::vector<double> areas_;
    double total_ = 0;
    double finished_ = 0;  // the areas of the regions before the current one
    int current_ = -1;     // the region being run; -1 before the first run starts
    std::atomic<double> fraction_{0.0};
};

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
