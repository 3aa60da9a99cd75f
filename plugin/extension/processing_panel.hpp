// The processing panel: pick an operation, set its parameters, run it.
//
// Widgets, by objectName (stable: hosts and tests look them up): "operationList" (a
// QListWidget, one item per operation, its id as Qt::UserRole data, its description as
// tooltip), the generated ParameterForm "parameterForm", "resetParameters", "runView",
// "runImage", "cancel", "export", "followView" (a QCheckBox: keep processing the view as the
// host pans and zooms) and "status" (a QLabel for the last message). The panel itself is
// "tileflowProcessingPanel".
//
// The panel only asks: its buttons emit requests that ProcessingController carries out
// (for "export", the controller asks the rest in an ExportDialog). GUI thread only.
#pragma once

#include <QWidget>
#include <map>
#include <string>
#include <vector>

#include "available_operations.hpp"

class QCheckBox;
class QLabel;
class QListWidget;

namespace tileflow::plugin {

class ParameterForm;

class ProcessingPanel : public QWidget {
    Q_OBJECT

public:
    explicit ProcessingPanel(std::vector<AvailableOperation> operations, QWidget* parent = nullptr);

    // The selected operation; nullptr when none is.
    const AvailableOperation* selected() const;
    std::map<std::string, std::string> parameterValues() const;
    bool followsView() const;
    bool autoContrast() const;
    void showStatus(const QString& message);

signals:
    void runViewRequested();
    void runImageRequested();
    void cancelRequested();
    void exportRequested();

private:
    void showSelected();

    std::vector<AvailableOperation> operations_;
    QListWidget* list_;
    ParameterForm* form_;
    QCheckBox* follow_;
    QCheckBox* autoContrast_;
    QLabel* status_;
};

}  // namespace tileflow::plugin
