#include "processing_panel.hpp"

#include <QCheckBox>
#include <QGridLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

#include "parameter_form.hpp"

namespace tileflow::plugin {

namespace {

QPushButton* button(const QString& text, const QString& name, const QString& tip) {
    auto* b = new QPushButton(text);
    b->setObjectName(name);
    b->setToolTip(tip);
    return b;
}

}  // namespace

ProcessingPanel::ProcessingPanel(std::vector<AvailableOperation> operations, QWidget* parent)
    : QWidget(parent),
      operations_(std::move(operations)),
      list_(new QListWidget),
      form_(new ParameterForm),
      follow_(new QCheckBox(tr("Follow the view"))),
      autoContrast_(new QCheckBox(tr("Auto contrast"))),
      status_(new QLabel) {
    setObjectName(QStringLiteral("tileflowProcessingPanel"));
    list_->setObjectName(QStringLiteral("operationList"));
    form_->setObjectName(QStringLiteral("parameterForm"));
    follow_->setObjectName(QStringLiteral("followView"));
    follow_->setToolTip(tr("Keep processing what the view shows as it pans and zooms"));
    follow_->setChecked(true);
    autoContrast_->setObjectName(QStringLiteral("autoContrast"));
    autoContrast_->setToolTip(
        tr("Show results from their 0.1–99.9 percentiles at the first tile (off: the result "
           "type's full range, 0–1 for floating point)"));
    autoContrast_->setChecked(true);
    status_->setObjectName(QStringLiteral("status"));
    status_->setWordWrap(true);

    for (std::size_t i = 0; i < operations_.size(); ++i) {
        const OperationInfo& info = operations_[i].info;
        auto* item = new QListWidgetItem(QString::fromStdString(info.name), list_);
        item->setData(Qt::UserRole, QString::fromStdString(info.id));
        item->setToolTip(QString::fromStdString(info.description) + QStringLiteral("\n(") +
                         operations_[i].pluginName + QLatin1Char(')'));
    }
    if (operations_.empty())
        showStatus(tr("No TileFlow operation plugins found (see TILEFLOW_PLUGIN_PATH)."));

    QPushButton* reset = button(tr("Reset"), QStringLiteral("resetParameters"),
                                tr("Put every parameter back to its default"));
    QPushButton* runView =
        button(tr("Run view"), QStringLiteral("runView"), tr("Process what the view shows"));
    QPushButton* runImage = button(tr("Run whole image"), QStringLiteral("runImage"),
                                   tr("Process the whole image at the level the view shows"));
    QPushButton* cancel =
        button(tr("Cancel"), QStringLiteral("cancel"), tr("Stop every running job"));
    QPushButton* exportButton = button(tr("Export…"), QStringLiteral("export"),
                                       tr("Write the result of a level or a region to a file"));

    auto* buttons = new QGridLayout;
    buttons->addWidget(runView, 0, 0);
    buttons->addWidget(runImage, 0, 1);
    buttons->addWidget(cancel, 1, 0);
    buttons->addWidget(exportButton, 1, 1);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(list_, 1);
    layout->addWidget(form_);
    layout->addWidget(reset, 0, Qt::AlignRight);
    layout->addWidget(follow_);
    layout->addWidget(autoContrast_);
    layout->addLayout(buttons);
    layout->addWidget(status_);

    connect(list_, &QListWidget::currentRowChanged, this, &ProcessingPanel::showSelected);
    connect(reset, &QPushButton::clicked, form_, &ParameterForm::reset);
    connect(runView, &QPushButton::clicked, this, &ProcessingPanel::runViewRequested);
    connect(runImage, &QPushButton::clicked, this, &ProcessingPanel::runImageRequested);
    connect(cancel, &QPushButton::clicked, this, &ProcessingPanel::cancelRequested);
    connect(exportButton, &QPushButton::clicked, this, &ProcessingPanel::exportRequested);
    if (!operations_.empty())
        list_->setCurrentRow(0);
}

const AvailableOperation* ProcessingPanel::selected() const {
    const int row = list_->currentRow();
    return row < 0 ? nullptr : &operations_[static_cast<std::size_t>(row)];
}

std::map<std::string, std::string> ProcessingPanel::parameterValues() const {
    return form_->values();
}

bool ProcessingPanel::followsView() const {
    return follow_->isChecked();
}

bool ProcessingPanel::autoContrast() const {
    return autoContrast_->isChecked();
}

void ProcessingPanel::showStatus(const QString& message) {
    status_->setText(message);
}

void ProcessingPanel::showSelected() {
    const AvailableOperation* operation = selected();
    form_->setParameters(operation ? operation->info.parameters : std::vector<ParameterInfo>{});
}

}  // namespace tileflow::plugin
