#include "tileflow/plugin/job_types.hpp"

namespace tileflow::plugin {

void registerJobMetaTypes() {
    qRegisterMetaType<JobProgress>();
    qRegisterMetaType<MemorySample>();
    qRegisterMetaType<std::shared_ptr<const tileflow::Image>>();
}

}  // namespace tileflow::plugin
