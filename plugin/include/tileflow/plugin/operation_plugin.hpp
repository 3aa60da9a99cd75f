/// @file
/// Operation plugins: modules that give TileFlow hosts more operations.
///
/// A plugin module is a Qt plugin whose root object derives from QObject and OperationPlugin:
///
///   class MyOperations : public QObject, public tileflow::plugin::OperationPlugin {
///       Q_OBJECT
///       Q_PLUGIN_METADATA(IID TILEFLOW_OPERATION_PLUGIN_IID FILE "my_operations.json")
///       Q_INTERFACES(tileflow::plugin::OperationPlugin)
///       ...
///   };
///
/// The JSON metadata file is read before the module is loaded and must hold at least
/// `{"name": "<unique short name>", "version": "<version text>"}`; "description" is optional.
/// Hosts refuse modules without it, and modules built for an incompatible interface version
/// (see interface_id.hpp).
///
/// Operations are described by tileflow::OperationInfo (parameters.hpp): id, name,
/// description, parameters with type, range, default and unit, output channels and dtype,
/// and whether a statistics pass is needed. What depends on parameter values and on the
/// input — the radius (the overlap a run needs), the exact output and the number of
/// statistics passes — is answered by the created tileflow::Operation (operation.hpp).
///
/// Thread-safety: both members are const and must be safe to call from any thread at once.
/// Ownership: the host owns nothing of the plugin; a plugin module stays loaded until the
/// process exits, so the operations it creates may outlive every host object.
/// Errors: create() throws tileflow::InvalidArgument for an unknown id or bad parameter values
/// (message naming the operation and the parameter); other tileflow::Error for failures.
#pragma once

#include <QtPlugin>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tileflow/operation.hpp"
#include "tileflow/parameters.hpp"

namespace tileflow::plugin {

/// The root interface of an operation plugin module; see the file description.
class OperationPlugin {
public:
    virtual ~OperationPlugin();

    /// The operations this plugin provides; ids are unique within the plugin.
    virtual std::vector<OperationInfo> operations() const = 0;
    /// The tile function of operation `id` for `parameters` (name -> text; missing names take
    /// their defaults), validated against the operation's description.
    virtual std::shared_ptr<const Operation> create(
        const std::string& id, const std::map<std::string, std::string>& parameters) const = 0;
};

}  // namespace tileflow::plugin

/// The IID an operation plugin module declares (Q_PLUGIN_METADATA) and hosts check.
#define TILEFLOW_OPERATION_PLUGIN_IID "org.tileflow.OperationPlugin/1.0"
Q_DECLARE_INTERFACE(tileflow::plugin::OperationPlugin, TILEFLOW_OPERATION_PLUGIN_IID)
