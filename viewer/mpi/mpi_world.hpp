// The few MPI calls tileflow-mpi makes, wrapped: one object per process, collective calls that
// every rank must make in the same order. MPI errors abort the job (MPI's default handler).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace tileflow::mpi {

class World {
public:
    // MPI_Init_thread with MPI_THREAD_SERIALIZED: OpenMP threads never call MPI; a progress
    // relay thread does, while no other thread of the process does.
    World(int& argc, char**& argv);
    ~World();
    World(const World&) = delete;
    World& operator=(const World&) = delete;

    int rank() const { return rank_; }
    int size() const { return size_; }
    bool root() const { return rank_ == 0; }

    // Rank 0's `text`, on every rank.
    std::string broadcast(const std::string& text) const;
    // Every rank's `text`, indexed by rank, on rank 0; empty elsewhere.
    std::vector<std::string> gather(const std::string& text) const;
    // Every rank's `value`, indexed by rank, on every rank.
    std::vector<double> allGather(double value) const;
    void barrier() const;
    // Whether a thread other than the main one may call MPI (one at a time).
    bool serializedThreads() const { return serialized_; }

    // Point to point, not collective: a rank's progress report to rank 0.
    struct Progress {
        int rank = 0;
        double fraction = 0;
        bool last = false;  // the rank's final report
    };
    void sendProgress(double fraction, bool last) const;
    // On rank 0: a report that has arrived, without waiting; empty when none has.
    std::optional<Progress> receiveProgress() const;

private:
    int rank_ = 0;
    int size_ = 1;
    bool serialized_ = false;
};

}  // namespace tileflow::mpi
