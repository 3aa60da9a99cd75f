#include "queued_post.hpp"

#include <mutex>
#include <utility>

namespace tileflow::plugin::detail {

namespace {

std::mutex handOver;

}  // namespace

void postQueued(QObject* receiver, std::function<void()> f) {
    const std::lock_guard posting(handOver);
    QMetaObject::invokeMethod(
        receiver,
        [f = std::move(f)] {
            { const std::lock_guard received(handOver); }
            f();
        },
        Qt::QueuedConnection);
}

}  // namespace tileflow::plugin::detail
