// A form generated from an operation's parameter descriptions (tileflow/parameters.hpp).
//
// One row per parameter, labelled with its name, its description as tooltip, starting at its
// default: Integer -> QSpinBox, Real -> QDoubleSpinBox (range and unit suffix), Boolean ->
// QCheckBox, Choice -> QComboBox. Each editor's objectName is "parameter.<name>", so hosts
// and tests can find it. values() gives the texts Parameters (and OperationPlugin::create)
// accept; reset() puts every editor back to its default. GUI thread only.
#pragma once

#include <QWidget>
#include <map>
#include <string>
#include <vector>

#include "tileflow/parameters.hpp"

class QFormLayout;

namespace tileflow::plugin {

class ParameterForm : public QWidget {
    Q_OBJECT

public:
    explicit ParameterForm(QWidget* parent = nullptr);

    // Replaces the rows with those of `parameters`.
    void setParameters(const std::vector<ParameterInfo>& parameters);
    std::map<std::string, std::string> values() const;
    void reset();

private:
    struct Row {
        ParameterInfo info;
        QWidget* editor = nullptr;
    };

    QFormLayout* layout_;
    std::vector<Row> rows_;
};

}  // namespace tileflow::plugin
