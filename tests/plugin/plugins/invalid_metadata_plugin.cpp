// Test plugin whose JSON metadata has no usable name.
#include <QObject>

#include "tileflow/plugin/operation_plugin.hpp"

class InvalidMetadataPlugin : public QObject {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID TILEFLOW_OPERATION_PLUGIN_IID FILE "invalid_metadata.json")
};

#include "invalid_metadata_plugin.moc"
