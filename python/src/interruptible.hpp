// Runs long work off the calling thread while the caller, which holds the GIL, keeps
// watching for Ctrl-C: Python delivers signals to the main thread only, and only when that
// thread runs Python code or asks (PyErr_CheckSignals).
#pragma once

#include <functional>
#include <stop_token>

namespace tileflow::python {

// Called with the GIL held. Runs work(stop) on a new thread with the GIL released, checking
// for signals every 50 ms. When a signal handler raises (KeyboardInterrupt), a stop is
// requested, `onStop` is called with the GIL held (to interrupt Python code running in
// workers), the work is waited for, and the handler's exception is raised
// (pybind11::error_already_set). An exception thrown by the work is rethrown here.
void runInterruptibly(const std::function<void(std::stop_token)>& work,
                      const std::function<void()>& onStop = {});

}  // namespace tileflow::python
