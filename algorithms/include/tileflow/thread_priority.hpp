/// @file
/// Background threads: work that must not slow down a user interface on the same machine.
///
/// makeCurrentThreadBackground() lowers the calling thread's CPU priority (on Linux its nice
/// value, per thread, to kBackgroundNice) so that the scheduler runs a GUI thread and the
/// window system's helpers first whenever they are ready. Threads the calling thread creates
/// afterwards inherit the priority; so does the OpenMP team of a run started from it with
/// GCC's libgomp, which keeps a team per calling thread (LLVM's libomp shares one pool across
/// the process, whose threads keep the priority of whoever started them). Call
/// it at the start of worker threads that process tiles for a viewer; batch runs leave their
/// threads alone.
///
/// Best effort by design: where the system offers no per-thread priority, or refuses the
/// change, the thread keeps its priority and the call returns false. Thread-safe.
#pragma once

namespace tileflow {

/// The nice value makeCurrentThreadBackground() gives a thread on Linux.
inline constexpr int kBackgroundNice = 10;

/// Lowers the calling thread's CPU priority; true when it did. See the file description.
bool makeCurrentThreadBackground();

}  // namespace tileflow
