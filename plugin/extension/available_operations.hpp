// The operations a host can run: every operation of every operation plugin TileFlow finds.
//
// findOperations() scans PluginCatalog::searchPaths() (plugin_catalog.hpp) once per call and
// lists the operations of each loaded operation plugin in the catalog's order. When two
// plugins offer the same operation id, the earlier one wins, as for plugin names.
// Call it on the GUI thread; the plugins it points to stay loaded until the process exits.
#pragma once

#include <QString>
#include <vector>

#include "tileflow/parameters.hpp"

namespace tileflow::plugin {

class OperationPlugin;

struct AvailableOperation {
    OperationPlugin* plugin = nullptr;  // owned by Qt's plugin loader
    QString pluginName;
    OperationInfo info;
};

std::vector<AvailableOperation> findOperations();

}  // namespace tileflow::plugin
