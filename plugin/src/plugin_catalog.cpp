#include "tileflow/plugin/plugin_catalog.hpp"

#include <dlfcn.h>

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonObject>
#include <QLibrary>
#include <QPluginLoader>
#include <QStandardPaths>
#include <optional>

#include "plugin_metadata.hpp"
#include "tileflow/plugin/host_extension.hpp"
#include "tileflow/plugin/interface_id.hpp"
#include "tileflow/plugin/operation_plugin.hpp"

namespace tileflow::plugin {

namespace {

QString oneLine(QString text) {
    return text.replace(QLatin1Char('\n'), QLatin1Char(' ')).trimmed();
}

// The folder this library was loaded from, so a host installed anywhere finds the plugins
// installed beside the library (lib/tileflow/plugins); empty if the loader cannot say.
QString pluginLibraryFolder() {
    static const char anchor = 0;
    Dl_info info{};
    if (::dladdr(&anchor, &info) == 0 || info.dli_fname == nullptr)
        return {};
    return QFileInfo(QString::fromLocal8Bit(info.dli_fname)).absolutePath();
}

}  // namespace

QStringList PluginCatalog::searchPaths() {
    QStringList candidates;
    const QString fromEnvironment = qEnvironmentVariable("TILEFLOW_PLUGIN_PATH");
    candidates << fromEnvironment.split(QLatin1Char(':'), Qt::SkipEmptyParts);
    if (QCoreApplication::instance() != nullptr) {
        const QDir appDir(QCoreApplication::applicationDirPath());
        candidates << appDir.filePath(QStringLiteral("plugins"))
                   << appDir.filePath(QStringLiteral(TILEFLOW_INSTALLED_PLUGIN_DIR));
    }
    if (const QString library = pluginLibraryFolder(); !library.isEmpty())
        candidates << QDir(library).filePath(QStringLiteral("tileflow/plugins"));
    const QString userData = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    if (!userData.isEmpty())
        candidates << QDir(userData).filePath(QStringLiteral("plugins"));

    QStringList folders;
    for (const QString& candidate : candidates) {
        const QString folder = QFileInfo(candidate).canonicalFilePath();  // empty if missing
        if (!folder.isEmpty() && QFileInfo(folder).isDir() && !folders.contains(folder))
            folders << folder;
    }
    return folders;
}

void PluginCatalog::scan(const QStringList& folders) {
    for (const QString& folder : folders) {
        const QFileInfoList files =
            QDir(folder).entryInfoList(QDir::Files | QDir::Readable, QDir::Name);
        for (const QFileInfo& file : files) {
            const QString path = file.canonicalFilePath();
            if (!QLibrary::isLibrary(path) || examinedPaths_.contains(path))
                continue;
            examinedPaths_ << path;
            examine(path);
        }
    }
}

void PluginCatalog::examine(const QString& path) {
    PluginRecord& record = records_.emplace_back();
    record.path = path;
    QPluginLoader loader(path);
    const auto refuse = [&record](const QString& reason) { record.reason = oneLine(reason); };

    const QJsonObject pluginData = loader.metaData();
    if (pluginData.isEmpty())
        return refuse(QStringLiteral("not a Qt plugin or damaged: ") + loader.errorString());
    record.iid = pluginData.value(QLatin1String("IID")).toString();
    if (auto reason = detail::interfaceRefusal(record.iid))
        return refuse(*reason);
    if (auto reason = detail::readMetadata(pluginData, record))
        return refuse(*reason);
    for (const PluginRecord& other : records_) {
        if (&other != &record && other.status == PluginRecord::Status::Loaded &&
            other.name == record.name) {
            return refuse(QStringLiteral("a plugin named '%1' is already loaded from %2")
                              .arg(record.name, other.path));
        }
    }

    if (!loader.load())
        return refuse(QStringLiteral("cannot load: ") + loader.errorString());
    QObject* instance = loader.instance();
    if (instance == nullptr)
        return refuse(QStringLiteral("cannot create the plugin object: ") + loader.errorString());
    // Cast with the IID the module was built for: a compatible older minor version is
    // declared under its own IID string, which qobject_cast with the host's would not match.
    void* implementation = instance->qt_metacast(record.iid.toLatin1().constData());
    if (implementation == nullptr) {
        return refuse(QStringLiteral("its plugin object (%1) does not implement %2 "
                                     "(Q_INTERFACES missing?)")
                          .arg(QLatin1String(instance->metaObject()->className()), record.iid));
    }
    if (InterfaceId::parse(record.iid)->name == detail::operationPluginInterface().name)
        record.operationPlugin = static_cast<OperationPlugin*>(implementation);
    else
        record.hostExtension = static_cast<HostExtension*>(implementation);
    record.instance = instance;
    record.status = PluginRecord::Status::Loaded;
}

std::vector<OperationPlugin*> PluginCatalog::operationPlugins() const {
    std::vector<OperationPlugin*> plugins;
    for (const PluginRecord& record : records_) {
        if (record.operationPlugin != nullptr)
            plugins.push_back(record.operationPlugin);
    }
    return plugins;
}

HostExtension* PluginCatalog::hostExtension(const QString& name) const {
    for (const PluginRecord& record : records_) {
        if (record.hostExtension != nullptr && record.name == name)
            return record.hostExtension;
    }
    return nullptr;
}

}  // namespace tileflow::plugin
