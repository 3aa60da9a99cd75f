#include "signal_stop.hpp"

#include <pthread.h>

#include <ctime>

namespace tileflow::cli {

SignalStop::SignalStop() {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals_, &previous_);
    waiter_ = std::jthread([this](const std::stop_token& done) {
        // Wait in short slices so the thread also notices when the run is over.
        const timespec slice{0, 100'000'000};
        while (!done.stop_requested()) {
            const int received = sigtimedwait(&signals_, nullptr, &slice);
            if (received > 0) {
                signal_ = received;
                stop_.request_stop();
                return;
            }
        }
    });
}

SignalStop::~SignalStop() {
    waiter_.request_stop();
    waiter_.join();
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

}  // namespace tileflow::cli
