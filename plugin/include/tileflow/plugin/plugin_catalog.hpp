/// @file
/// Plugin discovery and loading.
///
/// A PluginCatalog scans folders for Qt plugin modules, reads each module's metadata before
/// loading it (QPluginLoader::metaData() parses the file, it does not run its code), and
/// loads only modules that pass every check. A module is refused, with a one-line reason,
/// when it
///   - is not a Qt plugin or is damaged (no readable metadata),
///   - does not implement a TileFlow interface (IID not `org.tileflow.<Name>/<major>.<minor>`
///     naming an interface this host knows),
///   - was built for an incompatible interface version (interface_id.hpp),
///   - has no JSON metadata, or JSON metadata without a "name" and "version" string,
///   - has the name of a module loaded before it,
///   - fails to load (missing dependency, unresolved symbol, Qt version), or
///   - has a root object that does not implement the interface its IID names.
///
/// Refusals are records, never exceptions or crashes.
///
/// Lifetime: loaded modules are never unloaded (operations and widgets they created may
/// live anywhere in the host), so interface pointers stay valid until the process exits,
/// whatever happens to the catalog. Refused modules that got as far as loading stay
/// mapped too, for the same reason.
///
/// Thread-safety: none; scan on one thread (normally the GUI thread at start-up), then
/// read the results from any thread.
#pragma once

#include <QString>
#include <QStringList>
#include <vector>

class QObject;

namespace tileflow::plugin {

class OperationPlugin;
class HostExtension;

/// What the catalog found in one module file.
struct PluginRecord {
    /// Whether the module was loaded.
    enum class Status {
        Loaded,  ///< passed every check; its interface pointer is set
        Refused  ///< see reason
    };

    QString path;  ///< absolute path of the module file
    QString iid;   ///< as the module declares it; empty when unreadable
    /// From the module's JSON metadata; empty when it has none.
    QString name;
    QString version;                  ///< from the JSON metadata; empty when it has none
    QString description;              ///< from the JSON metadata; may be empty
    Status status = Status::Refused;  ///< loaded or refused
    QString reason;                   ///< why it was refused, one line; empty when loaded

    /// Set when loaded, for the interface the IID names; owned by Qt's plugin loader.
    QObject* instance = nullptr;
    OperationPlugin* operationPlugin = nullptr;  ///< for an OperationPlugin IID, else null
    HostExtension* hostExtension = nullptr;      ///< for a HostExtension IID, else null
};

/// Finds, checks and loads plugin modules; see the file description.
class PluginCatalog {
public:
    /// Where TileFlow looks for plugins, in this order, existing folders only, each once:
    ///   - the folders of the TILEFLOW_PLUGIN_PATH environment variable (colon-separated),
    ///   - `<application dir>/plugins` (a build tree),
    ///   - `<application dir>/<relative libdir>/tileflow/plugins` (an installed tree,
    ///     `../lib/tileflow/plugins` for the default layout),
    ///   - `tileflow/plugins` beside libtileflow_plugin itself (an installed tree, whatever
    ///     folder the host application lives in),
    ///   - `<QStandardPaths::AppDataLocation>/plugins` (the user's own).
    ///
    /// The application folders need a QCoreApplication; without one they are left out.
    static QStringList searchPaths();

    /// Examines every library file directly in each folder (in file name order), appending
    /// one record per file. Files already examined (same canonical path) are skipped.
    /// Earlier modules win name clashes, so the order of `folders` is the precedence.
    void scan(const QStringList& folders);

    /// Every module examined so far, loaded or refused, in the order examined.
    const std::vector<PluginRecord>& plugins() const { return records_; }
    /// The loaded operation plugins, in the order examined.
    std::vector<OperationPlugin*> operationPlugins() const;
    /// The loaded host extension whose metadata name is `name`; nullptr when there is none.
    HostExtension* hostExtension(const QString& name) const;

private:
    void examine(const QString& path);
    std::vector<PluginRecord> records_;
    QStringList examinedPaths_;
};

}  // namespace tileflow::plugin
