#include "available_operations.hpp"

#include <set>
#include <string>

#include "tileflow/plugin/operation_plugin.hpp"
#include "tileflow/plugin/plugin_catalog.hpp"

namespace tileflow::plugin {

std::vector<AvailableOperation> findOperations() {
    PluginCatalog catalog;
    catalog.scan(PluginCatalog::searchPaths());
    std::vector<AvailableOperation> found;
    std::set<std::string> ids;
    for (const PluginRecord& record : catalog.plugins()) {
        if (record.operationPlugin == nullptr)
            continue;
        std::vector<OperationInfo> offered;
        try {
            offered = record.operationPlugin->operations();
        } catch (const std::exception&) {
            continue;  // a plugin that cannot describe itself offers nothing; `tileflow ops` says
                       // why
        }
        for (OperationInfo& info : offered) {
            if (ids.insert(info.id).second)
                found.push_back({record.operationPlugin, record.name, std::move(info)});
        }
    }
    return found;
}

}  // namespace tileflow::plugin
