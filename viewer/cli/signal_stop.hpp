// Turns SIGINT and SIGTERM into a stop request, so that an interrupted batch run is
// cancelled like any other: the engine stops between tiles and the sink removes its
// temporary output. Construct it before any worker thread starts (threads inherit the
// blocked signal mask); the destructor restores the mask. One per process at a time.
#pragma once

#include <signal.h>

#include <atomic>
#include <stop_token>
#include <thread>

namespace tileflow::cli {

class SignalStop {
public:
    SignalStop();
    ~SignalStop();
    SignalStop(const SignalStop&) = delete;
    SignalStop& operator=(const SignalStop&) = delete;

    std::stop_token token() const { return stop_.get_token(); }
    // The signal that stopped the run, or 0.
    int signal() const { return signal_.load(); }

private:
    sigset_t signals_{};
    sigset_t previous_{};
    std::stop_source stop_;
    std::atomic<int> signal_{0};
    std::jthread waiter_;
};

}  // namespace tileflow::cli
