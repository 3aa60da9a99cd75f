// The overlay panel: a dock with the display controls of the view's result layers
// (overlay_layers.hpp): an opacity slider (0..100 %), the colormap of one-channel results,
// and the mode (Overlay: blended at the opacity; Split: a swipe comparison with a divider
// dragged in the view). The controls set the layers' settings at once and follow them when
// something else changes them; the layers hold the only copy.
//
// Children are named for tests: opacity (QSlider), colormap and mode (QComboBox, items in
// kColormaps and OverlayMode order).
//
// Threads: GUI thread only. Errors: none.
#pragma once

#include <QDockWidget>

class QComboBox;
class QLabel;
class QSlider;

namespace tileflow::gui {

class OverlayLayers;

class OverlayPanel final : public QDockWidget {
    Q_OBJECT

public:
    explicit OverlayPanel(OverlayLayers* layers, QWidget* parent = nullptr);

private:
    void showSettings();

    OverlayLayers* layers_;
    QSlider* opacity_;
    QLabel* opacityLabel_;
    QComboBox* colormap_;
    QComboBox* mode_;
};

}  // namespace tileflow::gui
