// The few MPI calls tileflow-mpi makes, wrapped: one object per process, collective calls that
// every rank must make in the same order. MPI errors abort the job (MPI's default handler).
#pragma once

#include <string>
#include <vector>

namespace tileflow::mpi {

class World {
public:
    // MPI_Init_thread with MPI_THREAD_FUNNELED: OpenMP threads never call MPI.
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

private:
    int rank_ = 0;
    int size_ = 1;
};

}  // namespace tileflow::mpi
