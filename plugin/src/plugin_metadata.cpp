#include "plugin_metadata.hpp"

#include <QJsonValue>
#include <QStringList>
#include <array>

#include "tileflow/plugin/host_extension.hpp"
#include "tileflow/plugin/operation_plugin.hpp"

namespace tileflow::plugin::detail {

namespace {

const InterfaceId& hostExtensionInterface() {
    static const InterfaceId id = *InterfaceId::parse(QStringLiteral(TILEFLOW_HOST_EXTENSION_IID));
    return id;
}

// The interfaces this host provides, at the versions it was built with.
std::array<InterfaceId, 2> hostInterfaces() {
    return {operationPluginInterface(), hostExtensionInterface()};
}

QString knownInterfaces() {
    QStringList names;
    for (const InterfaceId& id : hostInterfaces())
        names << id.name + QLatin1Char(' ') + id.version();
    return names.join(QStringLiteral(", "));
}

}  // namespace

const InterfaceId& operationPluginInterface() {
    static const InterfaceId id =
        *InterfaceId::parse(QStringLiteral(TILEFLOW_OPERATION_PLUGIN_IID));
    return id;
}

std::optional<QString> interfaceRefusal(const QString& iid) {
    const std::optional<InterfaceId> id = InterfaceId::parse(iid);
    if (!id) {
        return QStringLiteral(
                   "not a TileFlow plugin: its IID '%1' is not "
                   "org.tileflow.<Interface>/<major>.<minor>")
            .arg(iid);
    }
    for (const InterfaceId& host : hostInterfaces()) {
        if (host.name != id->name)
            continue;
        if (isCompatible(host, *id))
            return std::nullopt;
        return QStringLiteral(
                   "built for %1 %2, but this host provides %1 %3 (needs major version "
                   "%4 and minor version at most %5)")
            .arg(id->name, id->version(), host.version())
            .arg(host.majorVersion)
            .arg(host.minorVersion);
    }
    return QStringLiteral("unknown TileFlow interface '%1' (this host provides %2)")
        .arg(iid, knownInterfaces());
}

std::optional<QString> readMetadata(const QJsonObject& pluginData, PluginRecord& record) {
    if (!pluginData.contains(QLatin1String("MetaData"))) {
        return QStringLiteral(
            "no JSON metadata (Q_PLUGIN_METADATA needs FILE \"<plugin>.json\" with \"name\" and "
            "\"version\")");
    }
    const QJsonObject meta = pluginData.value(QLatin1String("MetaData")).toObject();
    for (const char* key : {"name", "version"}) {
        const QJsonValue value = meta.value(QLatin1String(key));
        if (!value.isString() || value.toString().trimmed().isEmpty()) {
            return QStringLiteral("invalid JSON metadata: \"%1\" must be a non-empty string")
                .arg(QLatin1String(key));
        }
    }
    const QJsonValue description = meta.value(QLatin1String("description"));
    if (!description.isUndefined() && !description.isString())
        return QStringLiteral("invalid JSON metadata: \"description\" must be a string");
    record.name = meta.value(QLatin1String("name")).toString().trimmed();
    record.version = meta.value(QLatin1String("version")).toString().trimmed();
    record.description = description.toString();
    return std::nullopt;
}

}  // namespace tileflow::plugin::detail
