#include "tileflow/thread_priority.hpp"

#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace tileflow {

bool makeCurrentThreadBackground() {
#if defined(__linux__)
    // On Linux the nice value belongs to the thread (its kernel task), not the process.
    const auto thread = static_cast<id_t>(::syscall(SYS_gettid));
    return ::setpriority(PRIO_PROCESS, thread, kBackgroundNice) == 0;
#else
    return false;
#endif
}

}  // namespace tileflow
