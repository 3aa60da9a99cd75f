// The built-in operations (tileflow/registry.hpp) as an operation plugin module, so hosts
// find them the same way as third-party operations.
#include <QObject>

#include "tileflow/plugin/operation_plugin.hpp"
#include "tileflow/registry.hpp"

namespace tileflow::plugin {

class BuiltinOperationsPlugin : public QObject, public OperationPlugin {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID TILEFLOW_OPERATION_PLUGIN_IID FILE "builtin_operations.json")
    Q_INTERFACES(tileflow::plugin::OperationPlugin)

public:
    std::vector<OperationInfo> operations() const override { return builtinOperations(); }

    std::shared_ptr<const Operation> create(
        const std::string& id,
        const std::map<std::string, std::string>& parameters) const override {
        return createOperation(id, parameters);
    }
};

}  // namespace tileflow::plugin

#include "builtin_operations_plugin.moc"
