// The interfaces' destructors, defined here so their vtables and type information live in
// the plugin library, once, for hosts and plugin modules alike.
#include "tileflow/plugin/host_extension.hpp"
#include "tileflow/plugin/operation_plugin.hpp"

namespace tileflow::plugin {

OperationPlugin::~OperationPlugin() = default;
HostContext::~HostContext() = default;
HostExtension::~HostExtension() = default;

}  // namespace tileflow::plugin
