#include "parameter_form.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QSpinBox>
#include <algorithm>
#include <cmath>
#include <limits>

namespace tileflow::plugin {

namespace {

QString text(const std::string& s) {
    return QString::fromStdString(s);
}

int clampedInt(double value) {
    constexpr double kLow = std::numeric_limits<int>::min();
    constexpr double kHigh = std::numeric_limits<int>::max();
    return static_cast<int>(std::clamp(value, kLow, kHigh));
}

// A step of about a hundredth of the range, a power of ten between 0.001 and 1.
double realStep(const ParameterInfo& p) {
    const double span = p.maximum - p.minimum;
    if (!(span > 0))
        return 1;
    return std::clamp(std::pow(10.0, std::floor(std::log10(span)) - 2), 0.001, 1.0);
}

QWidget* makeEditor(const ParameterInfo& p) {
    switch (p.type) {
        case ParameterType::Integer: {
            auto* spin = new QSpinBox;
            spin->setRange(clampedInt(p.minimum), clampedInt(p.maximum));
            if (!p.unit.empty())
                spin->setSuffix(QLatin1Char(' ') + text(p.unit));
            return spin;
        }
        case ParameterType::Real: {
            auto* spin = new QDoubleSpinBox;
            spin->setDecimals(4);
            spin->setRange(p.minimum, p.maximum);
            spin->setSingleStep(realStep(p));
            if (!p.unit.empty())
                spin->setSuffix(QLatin1Char(' ') + text(p.unit));
            return spin;
        }
        case ParameterType::Boolean:
            return new QCheckBox;
        case ParameterType::Choice: {
            auto* combo = new QComboBox;
            for (const std::string& choice : p.choices)
                combo->addItem(text(choice));
            return combo;
        }
    }
    return nullptr;
}

void setToDefault(const ParameterInfo& p, QWidget* editor) {
    const QString value = text(p.defaultValue);
    switch (p.type) {
        case ParameterType::Integer:
            static_cast<QSpinBox*>(editor)->setValue(value.toInt());
            break;
        case ParameterType::Real:
            static_cast<QDoubleSpinBox*>(editor)->setValue(value.toDouble());
            break;
        case ParameterType::Boolean:
            static_cast<QCheckBox*>(editor)->setChecked(
                value == QLatin1String("true") || value == QLatin1String("1") ||
                value == QLatin1String("yes") || value == QLatin1String("on"));
            break;
        case ParameterType::Choice:
            static_cast<QComboBox*>(editor)->setCurrentText(value);
            break;
    }
}

std::string valueText(const ParameterInfo& p, const QWidget* editor) {
    switch (p.type) {
        case ParameterType::Integer:
            return std::to_string(static_cast<const QSpinBox*>(editor)->value());
        case ParameterType::Real:
            return QString::number(static_cast<const QDoubleSpinBox*>(editor)->value(), 'g', 15)
                .toStdString();
        case ParameterType::Boolean:
            return static_cast<const QCheckBox*>(editor)->isChecked() ? "true" : "false";
        case ParameterType::Choice:
            return static_cast<const QComboBox*>(editor)->currentText().toStdString();
    }
    return {};
}

}  // namespace

ParameterForm::ParameterForm(QWidget* parent) : QWidget(parent), layout_(new QFormLayout(this)) {
    layout_->setContentsMargins(0, 0, 0, 0);
}

void ParameterForm::setParameters(const std::vector<ParameterInfo>& parameters) {
    while (layout_->rowCount() > 0)
        layout_->removeRow(0);
    rows_.clear();
    for (const ParameterInfo& p : parameters) {
        QWidget* editor = makeEditor(p);
        editor->setObjectName(QStringLiteral("parameter.") + text(p.name));
        editor->setToolTip(text(p.description));
        setToDefault(p, editor);
        layout_->addRow(text(p.name), editor);
        rows_.push_back({p, editor});
    }
}

std::map<std::string, std::string> ParameterForm::values() const {
    std::map<std::string, std::string> values;
    for (const Row& row : rows_)
        values[row.info.name] = valueText(row.info, row.editor);
    return values;
}

void ParameterForm::reset() {
    for (const Row& row : rows_)
        setToDefault(row.info, row.editor);
}

}  // namespace tileflow::plugin
