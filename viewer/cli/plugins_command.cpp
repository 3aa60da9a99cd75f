// tileflow plugins [--json]: the plugin folders searched, and every module found in them,
// loaded or refused with the reason.
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <exception>
#include <optional>
#include <ostream>

#include "cli/commands.hpp"
#include "tileflow/error.hpp"
#include "tileflow/plugin/operation_plugin.hpp"
#include "tileflow/plugin/plugin_catalog.hpp"

namespace tileflow::cli {

namespace {

using plugin::PluginRecord;

// The ids of the operations a loaded operation plugin lists; a plugin that throws while
// listing them gets the error as its only entry, prefixed with "error: ".
QStringList operationIds(const PluginRecord& record) {
    QStringList ids;
    if (record.operationPlugin == nullptr)
        return ids;
    try {
        for (const OperationInfo& info : record.operationPlugin->operations())
            ids << QString::fromStdString(info.id);
    } catch (const std::exception& e) {
        ids = QStringList{QStringLiteral("error: ") + QString::fromUtf8(e.what())};
    }
    return ids;
}

QJsonObject toJson(const PluginRecord& record) {
    const bool loaded = record.status == PluginRecord::Status::Loaded;
    return {{"path", record.path},
            {"iid", record.iid},
            {"name", record.name},
            {"version", record.version},
            {"description", record.description},
            {"status", loaded ? "loaded" : "refused"},
            {"reason", record.reason},
            {"operations", QJsonArray::fromStringList(operationIds(record))}};
}

void printText(const QStringList& folders, const std::vector<PluginRecord>& records,
               std::ostream& out) {
    out << "plugin folders: "
        << (folders.isEmpty() ? std::string("none") : folders.join(", ").toStdString()) << '\n';
    for (const PluginRecord& record : records) {
        if (record.status == PluginRecord::Status::Refused) {
            out << "refused  " << record.path.toStdString() << ": " << record.reason.toStdString()
                << '\n';
            continue;
        }
        out << "loaded   " << record.name.toStdString() << ' ' << record.version.toStdString()
            << "  " << record.iid.toStdString() << "  " << record.path.toStdString() << '\n';
        const QStringList ids = operationIds(record);
        if (!ids.isEmpty())
            out << "         operations: " << ids.join(", ").toStdString() << '\n';
    }
}

}  // namespace

int runPlugins(const std::vector<std::string>& args, std::ostream& out) {
    bool json = false;
    for (const std::string& arg : args) {
        if (arg != "--json")
            throw InvalidArgument("plugins: unknown option '" + arg + "' (expects [--json])");
        json = true;
    }
    // The application folder comes from QCoreApplication; make one unless a host has.
    // Declared before the application, which must not outlive them.
    int argc = 1;
    char name[] = "tileflow";
    char* argv[] = {name, nullptr};
    std::optional<QCoreApplication> app;
    if (QCoreApplication::instance() == nullptr)
        app.emplace(argc, argv);

    const QStringList folders = plugin::PluginCatalog::searchPaths();
    plugin::PluginCatalog catalog;
    catalog.scan(folders);
    if (!json) {
        printText(folders, catalog.plugins(), out);
        return 0;
    }
    QJsonArray plugins;
    for (const PluginRecord& record : catalog.plugins())
        plugins.append(toJson(record));
    const QJsonObject report{{"folders", QJsonArray::fromStringList(folders)},
                             {"plugins", plugins}};
    out << QJsonDocument(report).toJson(QJsonDocument::Indented).toStdString();
    return 0;
}

}  // namespace tileflow::cli
