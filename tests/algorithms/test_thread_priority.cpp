// Background threads: makeCurrentThreadBackground() lowers only the calling thread's
// priority, and threads it starts afterwards (an OpenMP team) inherit it.
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <QTest>
#include <thread>

#include "tileflow/thread_priority.hpp"

namespace {

int niceOfThisThread() {
    return ::getpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)));
}

}  // namespace

class TestThreadPriority : public QObject {
    Q_OBJECT

private slots:
    void lowersTheCallingThreadAndWhatItStarts() {
        const int before = niceOfThisThread();
        if (before >= tileflow::kBackgroundNice)
            QSKIP("the test already runs at background priority or lower");
        int worker = -100;
        int child = -100;
        bool changed = false;
        std::thread([&] {
            changed = tileflow::makeCurrentThreadBackground();
            worker = niceOfThisThread();
            std::thread([&] { child = niceOfThisThread(); }).join();
        }).join();
        if (!changed)
            QSKIP("this system refuses per-thread priorities (best effort by contract)");
        QCOMPARE(worker, tileflow::kBackgroundNice);
        QCOMPARE(child, tileflow::kBackgroundNice);
        QCOMPARE(niceOfThisThread(), before);
    }
};

QTEST_GUILESS_MAIN(TestThreadPriority)
#include "test_thread_priority.moc"
