// Test plugin that claims the operation plugin IID but does not implement the interface.
#include <QObject>

#include "tileflow/plugin/operation_plugin.hpp"

class NoInterfacePlugin : public QObject {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID TILEFLOW_OPERATION_PLUGIN_IID FILE "test_plugin.json")
};

#include "no_interface_plugin.moc"
