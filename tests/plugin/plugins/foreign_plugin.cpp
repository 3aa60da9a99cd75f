// Test plugin of another application (not a TileFlow interface).
#include <QObject>

class ForeignPlugin : public QObject {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID "org.example.ImageFilter/1.0" FILE "test_plugin.json")
};

#include "foreign_plugin.moc"
