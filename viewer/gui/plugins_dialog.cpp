#include "gui/plugins_dialog.hpp"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

namespace tileflow::gui {

PluginsDialog::PluginsDialog(const std::vector<plugin::PluginRecord>& records,
                             const QStringList& searchPaths, QWidget* parent)
    : QDialog(parent) {
    setWindowTitle(tr("Plugins"));
    resize(820, 320);
    auto* layout = new QVBoxLayout(this);
    auto* folders = new QLabel(tr("Searched: %1").arg(searchPaths.join(QStringLiteral(", "))));
    folders->setWordWrap(true);
    layout->addWidget(folders);

    auto* table = new QTableWidget(static_cast<int>(records.size()), 5, this);
    table->setObjectName(QStringLiteral("pluginTable"));
    table->setHorizontalHeaderLabels(
        {tr("Name"), tr("Version"), tr("Status"), tr("Reason"), tr("File")});
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->horizontalHeader()->setStretchLastSection(true);
    int row = 0;
    for (const plugin::PluginRecord& record : records) {
        const bool loaded = record.status == plugin::PluginRecord::Status::Loaded;
        const QStringList cells = {record.name, record.version,
                                   loaded ? tr("loaded") : tr("refused"), record.reason,
                                   record.path};
        for (int column = 0; column < cells.size(); ++column)
            table->setItem(row, column, new QTableWidgetItem(cells[column]));
        ++row;
    }
    table->resizeColumnsToContents();
    layout->addWidget(table);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

}  // namespace tileflow::gui
