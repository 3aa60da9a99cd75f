// Test plugin built for a future major version of the operation plugin interface.
#include <QObject>

class MajorVersionPlugin : public QObject {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID "org.tileflow.OperationPlugin/2.0" FILE "test_plugin.json")
};

#include "major_version_plugin.moc"
