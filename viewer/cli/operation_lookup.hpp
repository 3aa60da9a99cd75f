// Operations by id for the command line.
//
// An id resolves to the first operation plugin that lists it, in PluginCatalog::searchPaths()
// order (TILEFLOW_PLUGIN_PATH first, then the plugins/ folders beside the binary and of an
// installed tree, then the user's), and otherwise to the compiled-in registry
// (tileflow::createOperation), so the built-in operations work even when their plugin
// module is missing. The plugin folders are scanned once, on first use, on the calling
// thread; a program that never asks for an operation never scans.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tileflow/operation.hpp"
#include "tileflow/parameters.hpp"

namespace tileflow::plugin {
class OperationPlugin;
}

namespace tileflow::cli {

// The compiled-in registry's name as a provider.
inline constexpr const char* kCompiledIn = "compiled-in";

struct OperationProvider {
    std::string name;     // the plugin's metadata name, or kCompiledIn
    std::string version;  // the plugin's metadata version; empty for kCompiledIn
    std::string path;     // the plugin module; empty for kCompiledIn
    std::vector<OperationInfo> operations;
    std::string error;  // why the operations could not be listed; empty when they were
    const plugin::OperationPlugin* plugin = nullptr;  // nullptr for kCompiledIn
};

// The loaded operation plugins in precedence order, then the compiled-in registry.
const std::vector<OperationProvider>& operationProviders();

// The operation `id` of the first provider that lists it, created with `parameters`.
// Throws tileflow::InvalidArgument for an unknown id or bad parameters.
std::shared_ptr<const Operation> findOperation(
    const std::string& id, const std::map<std::string, std::string>& parameters);

}  // namespace tileflow::cli
