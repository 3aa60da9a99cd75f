// Validation of a plugin module's Qt metadata: the IID it declares and its JSON "MetaData".
//
// Private to libtileflow_plugin. Separate from PluginCatalog, which loads modules, so that the
// checks run on metadata alone (fuzz/plugin_json_fuzzer.cpp). Nothing here throws.
#pragma once

#include <QJsonObject>
#include <QString>
#include <optional>

#include "tileflow/plugin/interface_id.hpp"
#include "tileflow/plugin/plugin_catalog.hpp"

namespace tileflow::plugin::detail {

// The OperationPlugin interface this host provides, at the version it was built with.
const InterfaceId& operationPluginInterface();

// Why a module with this IID cannot be used here; nullopt when it can.
std::optional<QString> interfaceRefusal(const QString& iid);

// Fills name, version and description of `record` from the "MetaData" object of a module's
// metadata (QPluginLoader::metaData()); returns why the metadata is unusable, or nullopt.
std::optional<QString> readMetadata(const QJsonObject& pluginData, PluginRecord& record);

}  // namespace tileflow::plugin::detail
