#include "operation_lookup.hpp"

#include <QCoreApplication>
#include <algorithm>
#include <clocale>
#include <exception>

#include "tileflow/error.hpp"
#include "tileflow/plugin/operation_plugin.hpp"
#include "tileflow/plugin/plugin_catalog.hpp"
#include "tileflow/registry.hpp"

namespace tileflow::cli {

namespace {

// The application folders of PluginCatalog::searchPaths() need a QCoreApplication: make one
// for the scan unless a host has one.
void scanPlugins(plugin::PluginCatalog& catalog) {
    if (QCoreApplication::instance() != nullptr) {
        catalog.scan(plugin::PluginCatalog::searchPaths());
        return;
    }
    // QCoreApplication sets the C locale from the environment; keep ours, so that the
    // engine's printf-style number formatting is the same with plugins as without.
    const std::string locale = std::setlocale(LC_ALL, nullptr);
    int argc = 1;
    char name[] = "tileflow";
    char* argv[] = {name, nullptr};
    {
        const QCoreApplication app(argc, argv);
        catalog.scan(plugin::PluginCatalog::searchPaths());
    }
    std::setlocale(LC_ALL, locale.c_str());
}

std::vector<OperationProvider> findProviders() {
    // Loaded modules stay loaded when the catalog goes, so the plugin pointers stay valid.
    plugin::PluginCatalog catalog;
    scanPlugins(catalog);
    std::vector<OperationProvider> providers;
    for (const plugin::PluginRecord& record : catalog.plugins()) {
        if (record.operationPlugin == nullptr)
            continue;
        OperationProvider& p = providers.emplace_back();
        p.name = record.name.toStdString();
        p.version = record.version.toStdString();
        p.path = record.path.toStdString();
        p.plugin = record.operationPlugin;
        try {
            p.operations = p.plugin->operations();
        } catch (const std::exception& e) {
            p.error = e.what();
        }
    }
    providers.push_back({kCompiledIn, "", "", builtinOperations(), "", nullptr});
    return providers;
}

}  // namespace

const std::vector<OperationProvider>& operationProviders() {
    static const std::vector<OperationProvider> providers = findProviders();
    return providers;
}

std::shared_ptr<const Operation> findOperation(
    const std::string& id, const std::map<std::string, std::string>& parameters) {
    std::vector<std::string> known;
    for (const OperationProvider& p : operationProviders()) {
        for (const OperationInfo& info : p.operations) {
            if (info.id == id) {
                return p.plugin != nullptr ? p.plugin->create(id, parameters)
                                           : createOperation(id, parameters);
            }
            if (std::find(known.begin(), known.end(), info.id) == known.end())
                known.push_back(info.id);
        }
    }
    std::string list;
    for (const std::string& k : known)
        list += (list.empty() ? "" : ", ") + k;
    throw InvalidArgument("unknown operation '" + id + "' (known: " + list + ")");
}

}  // namespace tileflow::cli
