#include "mpi_world.hpp"

#include <mpi.h>

namespace tileflow::mpi {

namespace {

constexpr int kProgressTag = 7001;

}  // namespace

World::World(int& argc, char**& argv) {
    int provided = 0;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided);
    serialized_ = provided >= MPI_THREAD_SERIALIZED;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

World::~World() {
    MPI_Finalize();
}

std::string World::broadcast(const std::string& text) const {
    int length = static_cast<int>(text.size());
    MPI_Bcast(&length, 1, MPI_INT, 0, MPI_COMM_WORLD);
    std::string received = root() ? text : std::string(static_cast<std::size_t>(length), '\0');
    MPI_Bcast(received.data(), length, MPI_CHAR, 0, MPI_COMM_WORLD);
    return received;
}

std::vector<std::string> World::gather(const std::string& text) const {
    const int length = static_cast<int>(text.size());
    std::vector<int> lengths(root() ? static_cast<std::size_t>(size_) : 0);
    MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
    std::vector<int> offsets(lengths.size(), 0);
    int total = 0;
    for (std::size_t r = 0; r < lengths.size(); ++r) {
        offsets[r] = total;
        total += lengths[r];
    }
    std::string all(static_cast<std::size_t>(total), '\0');
    MPI_Gatherv(text.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR,
                0, MPI_COMM_WORLD);
    std::vector<std::string> texts;
    for (std::size_t r = 0; r < lengths.size(); ++r)
        texts.push_back(
            all.substr(static_cast<std::size_t>(offsets[r]), static_cast<std::size_t>(lengths[r])));
    return texts;
}

std::vector<double> World::allGather(double value) const {
    std::vector<double> values(static_cast<std::size_t>(size_));
    MPI_Allgather(&value, 1, MPI_DOUBLE, values.data(), 1, MPI_DOUBLE, MPI_COMM_WORLD);
    return values;
}

void World::barrier() const {
    MPI_Barrier(MPI_COMM_WORLD);
}

void World::sendProgress(double fraction, bool last) const {
    const double report[2] = {fraction, last ? 1.0 : 0.0};
    MPI_Send(report, 2, MPI_DOUBLE, 0, kProgressTag, MPI_COMM_WORLD);
}

std::optional<World::Progress> World::receiveProgress() const {
    int arrived = 0;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, kProgressTag, MPI_COMM_WORLD, &arrived, &status);
    if (arrived == 0)
        return std::nullopt;
    double report[2] = {0, 0};
    MPI_Recv(report, 2, MPI_DOUBLE, status.MPI_SOURCE, kProgressTag, MPI_COMM_WORLD,
             MPI_STATUS_IGNORE);
    return Progress{status.MPI_SOURCE, report[0], report[1] != 0};
}

}  // namespace tileflow::mpi
