// Fuzz target: a plugin module's metadata as PluginCatalog checks it before loading the module
// (plugin/src/plugin_metadata.hpp): QJsonDocument::fromJson, then interfaceRefusal on its
// "IID" and readMetadata, on the document both as QPluginLoader::metaData() gives it
// ({"IID": ..., "MetaData": {...}}) and as the module's own JSON file (the "MetaData" object).
// The whole input is also parsed as an IID by InterfaceId::parse. Nothing here may throw.
#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>

#include "fuzz_support.hpp"
#include "plugin_metadata.hpp"
#include "tileflow/plugin/interface_id.hpp"
#include "tileflow/plugin/plugin_catalog.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace plugin = tileflow::plugin;
    using tileflow::fuzz::require;
    const QByteArray bytes(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));

    if (const std::optional<plugin::InterfaceId> id =
            plugin::InterfaceId::parse(QString::fromUtf8(bytes))) {
        require(plugin::InterfaceId::parse(id->toString()) == id,
                "an InterfaceId's toString() parses back to it");
    }

    const QJsonDocument document = QJsonDocument::fromJson(bytes);
    if (!document.isObject())
        return 0;
    const QJsonObject object = document.object();
    for (const QJsonObject& pluginData :
         {object, QJsonObject{{QStringLiteral("MetaData"), object}}}) {
        const QString iid = pluginData.value(QLatin1String("IID")).toString();
        if (!plugin::detail::interfaceRefusal(iid))
            require(plugin::InterfaceId::parse(iid).has_value(), "an accepted IID parses");
        plugin::PluginRecord record;
        if (!plugin::detail::readMetadata(pluginData, record)) {
            require(!record.name.isEmpty() && !record.version.isEmpty(),
                    "accepted metadata has a name and a version");
        }
    }
    return 0;
}
