// Test plugin that implements the operation plugin interface but has no JSON metadata.
#include <QObject>

#include "tileflow/plugin/operation_plugin.hpp"

class NoMetadataPlugin : public QObject, public tileflow::plugin::OperationPlugin {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID TILEFLOW_OPERATION_PLUGIN_IID)
    Q_INTERFACES(tileflow::plugin::OperationPlugin)

public:
    std::vector<tileflow::OperationInfo> operations() const override { return {}; }
    std::shared_ptr<const tileflow::Operation> create(
        const std::string&, const std::map<std::string, std::string>&) const override {
        return nullptr;
    }
};

#include "no_metadata_plugin.moc"
