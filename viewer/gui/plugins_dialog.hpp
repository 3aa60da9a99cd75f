// Help › Plugins: every plugin module the viewer examined, loaded or refused with the reason.
//
// Threads: GUI thread. Errors: none; an empty list says that no plugin folder had modules.
#pragma once

#include <QDialog>
#include <vector>

#include "tileflow/plugin/plugin_catalog.hpp"

namespace tileflow::gui {

class PluginsDialog final : public QDialog {
    Q_OBJECT

public:
    PluginsDialog(const std::vector<plugin::PluginRecord>& records, const QStringList& searchPaths,
                  QWidget* parent = nullptr);
};

}  // namespace tileflow::gui
