#include "progress_relay.hpp"

#include <algorithm>
#include <iomanip>
#include <numeric>
#include <ostream>
#include <sstream>

namespace tileflow::mpi {

namespace {

constexpr auto kPoll = std::chrono::milliseconds(50);
constexpr auto kSendEvery = std::chrono::seconds(1);

int percent(double fraction) {
    return static_cast<int>(std::clamp(fraction, 0.0, 1.0) * 100);  // 100 only when done
}

}  // namespace

ProgressRelay::ProgressRelay(const World& world, const ShareProgress& progress, std::string label,
                             std::ostream& err, std::chrono::milliseconds interval)
    : world_(world), progress_(progress), label_(std::move(label)), err_(err), interval_(interval) {
    if (world_.root())
        thread_ = std::jthread([this](const std::stop_token& stop) { printReports(stop); });
    else
        thread_ = std::jthread([this](const std::stop_token& stop) { sendReports(stop); });
}

ProgressRelay::~ProgressRelay() {
    thread_.request_stop();
    thread_.join();
}

void ProgressRelay::sendReports(const std::stop_token& stop) {
    auto next = std::chrono::steady_clock::now();
    while (!stop.stop_requested()) {
        if (std::chrono::steady_clock::now() >= next) {
            world_.sendProgress(progress_.fraction(), false);
            next += kSendEvery;
        }
        std::this_thread::sleep_for(kPoll);
    }
    world_.sendProgress(progress_.fraction(), true);
}

void ProgressRelay::printReports(const std::stop_token& stop) {
    std::vector<double> fractions(static_cast<std::size_t>(world_.size()), 0.0);
    std::vector<bool> last(fractions.size(), false);
    last[0] = true;  // this rank's own: read directly
    auto nextPrint = std::chrono::steady_clock::now() + interval_;
    while (true) {
        while (const std::optional<World::Progress> report = world_.receiveProgress()) {
            fractions[static_cast<std::size_t>(report->rank)] = report->fraction;
            if (report->last)
                last[static_cast<std::size_t>(report->rank)] = true;
        }
        fractions[0] = progress_.fraction();
        const bool everyRankDone = std::all_of(last.begin(), last.end(), [](bool b) { return b; });
        if (stop.stop_requested() && everyRankDone)
            break;
        if (std::chrono::steady_clock::now() >= nextPrint) {
            print(fractions);
            nextPrint += interval_;
        }
        std::this_thread::sleep_for(kPoll);
    }
    print(fractions);
}

void ProgressRelay::print(const std::vector<double>& fractions) {
    if (label_.empty())
        return;
    const double all = std::accumulate(fractions.begin(), fractions.end(), 0.0) /
                       static_cast<double>(fractions.size());
    std::ostringstream line;
    line << label_ << ": " << percent(all) << "% (ranks:";
    for (const double f : fractions)
        line << ' ' << percent(f) << '%';
    line << ")\n";
    err_ << line.str() << std::flush;
}

}  // namespace tileflow::mpi
