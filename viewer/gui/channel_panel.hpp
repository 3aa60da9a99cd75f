// The channel panel: a dock with one row per channel of the SlideView's image.
//
// A row shows the channel's name (the source's channel name, or "Channel N" counting from 1
// when it has none) on a visibility check box, a colour button (QColorDialog), the display
// range as two spin boxes (low, high) and an "Auto" button that sets the range to the
// channel's kAutoLow..kAutoHigh percentiles over the coarsest level (channel_statistics.hpp,
// computed off the GUI thread; a result that arrives after another image was opened is
// dropped). Every change goes to SlideView::setChannels() at once. An RGB slide shows its
// three channels read-only. The rows are rebuilt whenever the view gets a new source.
//
// Children are named for tests: visible<c>, colour<c>, low<c>, high<c>, auto<c>.
//
// Threads: GUI thread only. Errors: a failed Auto read is shown in the panel.
#pragma once

#include <QDockWidget>
#include <vector>

class QCheckBox;
class QDoubleSpinBox;
class QGridLayout;
class QLabel;
class QPushButton;
class QToolButton;

namespace tileflow::gui {

class SlideView;

class ChannelPanel final : public QDockWidget {
    Q_OBJECT

public:
    static constexpr double kAutoLow = 0.001;
    static constexpr double kAutoHigh = 0.999;

    explicit ChannelPanel(SlideView* view, QWidget* parent = nullptr);

private:
    struct Row {
        QCheckBox* visible;
        QToolButton* colour;
        QDoubleSpinBox* low;
        QDoubleSpinBox* high;
        QPushButton* autoRange;
    };

    void rebuild();
    Row addRow(QGridLayout* grid, int channel, const QString& name, bool editable);
    void showRow(int channel);
    void applyRow(int channel);
    void chooseColour(int channel);
    void autoRange(int channel);

    SlideView* view_;
    std::vector<Row> rows_;
    QLabel* status_ = nullptr;
};

}  // namespace tileflow::gui
