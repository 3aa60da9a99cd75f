// Internal: posting work from a worker thread to a QObject's thread, visibly to ThreadSanitizer.
//
// Debian's Qt is not built with TSan and guards its event queue with futexes TSan cannot see.
// Through a plain QMetaObject::invokeMethod, what the worker wrote before posting, the event
// Qt allocates and the receiver's reads would all look unsynchronised. postQueued() holds a
// hand-over mutex while it posts, and the receiver takes it again before it reads anything of
// the event: it cannot run before the post, so its lock comes after the poster's unlock, and
// the pair orders everything in between. The mutex is one for the process, because the
// receiver must find it without reading the event; posts are few (tiles and progress), and
// uncontended it costs tens of nanoseconds beside the allocation Qt makes for each event.
//
// Posts from the receiver's own thread go through it as well: they grow the same event list
// in Qt that workers' posts grow.
//
// Thread-safety: call from any thread; `f` runs on the receiver's thread unless the receiver
// is destroyed first. Threads that post must be joined with a join TSan sees (std::jthread,
// not QThread::wait) before the receiver dies, so that events Qt discards unrun are ordered.
#pragma once

#include <QObject>
#include <functional>

namespace tileflow::plugin::detail {

void postQueued(QObject* receiver, std::function<void()> f);

}  // namespace tileflow::plugin::detail
