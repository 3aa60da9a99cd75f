#include "gui/overlay_panel.hpp"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <cmath>

#include "gui/overlay_layers.hpp"

namespace tileflow::gui {

OverlayPanel::OverlayPanel(OverlayLayers* layers, QWidget* parent)
    : QDockWidget(tr("Overlay"), parent),
      layers_(layers),
      opacity_(new QSlider(Qt::Horizontal)),
      opacityLabel_(new QLabel),
      colormap_(new QComboBox),
      mode_(new QComboBox) {
    setObjectName(QStringLiteral("overlayDock"));
    opacity_->setObjectName(QStringLiteral("opacity"));
    opacity_->setRange(0, 100);
    colormap_->setObjectName(QStringLiteral("colormap"));
    for (Colormap colormap : kColormaps)
        colormap_->addItem(colormapName(colormap));
    mode_->setObjectName(QStringLiteral("mode"));
    mode_->addItems({tr("Overlay"), tr("Split")});
    mode_->setToolTip(
        tr("Split: the image left of the divider, the result right of it; drag "
           "the divider in the view"));

    auto* opacityRow = new QHBoxLayout;
    opacityRow->addWidget(opacity_);
    opacityRow->addWidget(opacityLabel_);
    auto* body = new QWidget(this);
    auto* form = new QFormLayout(body);
    form->addRow(tr("Opacity"), opacityRow);
    form->addRow(tr("Colormap"), colormap_);
    form->addRow(tr("Mode"), mode_);
    setWidget(body);

    connect(opacity_, &QSlider::valueChanged, this,
            [this](int percent) { layers_->setOpacity(percent / 100.0); });
    connect(colormap_, &QComboBox::currentIndexChanged, this,
            [this](int index) { layers_->setColormap(kColormaps[index]); });
    connect(mode_, &QComboBox::currentIndexChanged, this,
            [this](int index) { layers_->setMode(static_cast<OverlayMode>(index)); });
    connect(layers_, &OverlayLayers::displayChanged, this, &OverlayPanel::showSettings);
    showSettings();
}

void OverlayPanel::showSettings() {
    const QSignalBlocker blockOpacity(opacity_);
    const QSignalBlocker blockColormap(colormap_);
    const QSignalBlocker blockMode(mode_);
    const int percent = static_cast<int>(std::lround(layers_->opacity() * 100));
    opacity_->setValue(percent);
    opacityLabel_->setText(QStringLiteral("%1 %").arg(percent));
    colormap_->setCurrentIndex(static_cast<int>(layers_->colormap()));
    mode_->setCurrentIndex(static_cast<int>(layers_->mode()));
}

}  // namespace tileflow::gui
