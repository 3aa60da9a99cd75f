// Test plugin built for a newer minor version of the operation plugin interface than the host's.
#include <QObject>

class MinorVersionPlugin : public QObject {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID "org.tileflow.OperationPlugin/1.1" FILE "test_plugin.json")
};

#include "minor_version_plugin.moc"
