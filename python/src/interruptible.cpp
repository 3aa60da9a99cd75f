#include "interruptible.hpp"

#include <pybind11/pybind11.h>

#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

namespace py = pybind11;

namespace tileflow::python {

void runInterruptibly(const std::function<void(std::stop_token)>& work,
                      const std::function<void()>& onStop) {
    std::mutex mutex;
    std::condition_variable finished;
    bool done = false;
    std::exception_ptr failure;
    std::stop_source stop;
    std::thread worker([&] {
        try {
            work(stop.get_token());
        } catch (...) {
            failure = std::current_exception();
        }
        const std::lock_guard lock(mutex);
        done = true;
        finished.notify_all();
    });
    auto waitFor = [&](std::chrono::milliseconds period) {
        const py::gil_scoped_release unlocked;
        std::unique_lock lock(mutex);
        return finished.wait_for(lock, period, [&] { return done; });
    };
    std::optional<py::error_already_set> interrupt;
    while (!waitFor(std::chrono::milliseconds(50))) {
        if (PyErr_CheckSignals() != 0) {
            interrupt.emplace();  // takes the pending exception
            stop.request_stop();
            if (onStop)
                onStop();
            while (!waitFor(std::chrono::milliseconds(50))) {
            }
            break;
        }
    }
    {
        const py::gil_scoped_release unlocked;
        worker.join();
    }
    if (interrupt)
        throw std::move(*interrupt);
    if (failure)
        std::rethrow_exception(failure);
}

}  // namespace tileflow::python
