// Test plugin with valid metadata that cannot be loaded: it needs a shared library the
// dynamic loader does not find (built elsewhere, no run path).
#include <QObject>

#include "tileflow/plugin/operation_plugin.hpp"
#include "vanishing_dependency.hpp"

class MissingDependencyPlugin : public QObject {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID TILEFLOW_OPERATION_PLUGIN_IID FILE "test_plugin.json")

public:
    MissingDependencyPlugin() : answer_(vanishingDependency()) {}

private:
    int answer_;
};

#include "missing_dependency_plugin.moc"
