#include "gui/channel_panel.hpp"

#include <QCheckBox>
#include <QColorDialog>
#include <QDoubleSpinBox>
#include <QFutureWatcher>
#include <QGridLayout>
#include <QLabel>
#include <QPixmap>
#include <QPushButton>
#include <QScrollArea>
#include <QToolButton>
#include <QVBoxLayout>

#include "gui/channel_statistics.hpp"
#include "gui/slide_view.hpp"

namespace tileflow::gui {

namespace {

using Ranges = std::vector<plugin::DisplayRange>;

QString channelName(const SourceMetadata& metadata, int channel) {
    const auto index = static_cast<std::size_t>(channel);
    if (index < metadata.channelNames.size() && !metadata.channelNames[index].empty())
        return QString::fromStdString(metadata.channelNames[index]);
    return QObject::tr("Channel %1").arg(channel + 1);
}

QDoubleSpinBox* rangeBox(DType dtype, const QString& name) {
    auto* box = new QDoubleSpinBox;
    box->setObjectName(name);
    if (dtype == DType::F32) {
        box->setRange(-1e9, 1e9);
        box->setDecimals(4);
        box->setSingleStep(0.01);
    } else {
        const plugin::DisplayRange full = plugin::DisplayMapping::defaultRange(dtype);
        box->setRange(full.low, full.high);
        box->setDecimals(0);
    }
    return box;
}

}  // namespace

ChannelPanel::ChannelPanel(SlideView* view, QWidget* parent)
    : QDockWidget(tr("Channels"), parent), view_(view) {
    setObjectName(QStringLiteral("channelPanel"));
    connect(view_, &SlideView::sourceChanged, this, &ChannelPanel::rebuild);
    rebuild();
}

void ChannelPanel::rebuild() {
    rows_.clear();
    auto* content = new QWidget;
    auto* layout = new QVBoxLayout(content);
    auto* grid = new QGridLayout;
    layout->addLayout(grid);
    status_ = new QLabel;
    status_->setWordWrap(true);
    layout->addWidget(status_);
    layout->addStretch();
    if (view_->source()) {
        const SourceMetadata metadata = view_->source()->metadata();
        const bool editable = !isRgb(view_->source()->info());
        for (int c = 0; c < static_cast<int>(view_->channels().size()); ++c) {
            rows_.push_back(addRow(grid, c, channelName(metadata, c), editable));
            showRow(c);
        }
    }
    auto* scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setWidget(content);
    delete widget();
    setWidget(scroll);
}

ChannelPanel::Row ChannelPanel::addRow(QGridLayout* grid, int channel, const QString& name,
                                       bool editable) {
    const DType dtype = view_->source()->info().dtype;
    const QString n = QString::number(channel);
    Row row{new QCheckBox(name), new QToolButton, rangeBox(dtype, QStringLiteral("low") + n),
            rangeBox(dtype, QStringLiteral("high") + n), new QPushButton(tr("Auto"))};
    row.visible->setObjectName(QStringLiteral("visible") + n);
    row.colour->setObjectName(QStringLiteral("colour") + n);
    row.autoRange->setObjectName(QStringLiteral("auto") + n);
    row.colour->setToolTip(tr("Colour"));
    row.autoRange->setToolTip(tr("Range from the 0.1 and 99.9 percentiles"));
    QWidget* const widgets[] = {row.visible, row.colour, row.low, row.high, row.autoRange};
    for (int column = 0; column < 5; ++column) {
        grid->addWidget(widgets[column], channel, column);
        widgets[column]->setEnabled(editable);
    }
    connect(row.visible, &QCheckBox::toggled, this, [this, channel] { applyRow(channel); });
    connect(row.low, &QDoubleSpinBox::valueChanged, this, [this, channel] { applyRow(channel); });
    connect(row.high, &QDoubleSpinBox::valueChanged, this, [this, channel] { applyRow(channel); });
    connect(row.colour, &QToolButton::clicked, this, [this, channel] { chooseColour(channel); });
    connect(row.autoRange, &QPushButton::clicked, this, [this, channel] { autoRange(channel); });
    return row;
}

// Shows the view's settings of `channel` in its row without sending them back.
void ChannelPanel::showRow(int channel) {
    const Row& row = rows_.at(static_cast<std::size_t>(channel));
    const ChannelDisplay& display = view_->channels().at(static_cast<std::size_t>(channel));
    const QSignalBlocker blockVisible(row.visible);
    const QSignalBlocker blockLow(row.low);
    const QSignalBlocker blockHigh(row.high);
    row.visible->setChecked(display.visible);
    row.low->setValue(display.range.low);
    row.high->setValue(display.range.high);
    QPixmap swatch(16, 16);
    swatch.fill(display.colour);
    row.colour->setIcon(swatch);
}

void ChannelPanel::applyRow(int channel) {
    const Row& row = rows_.at(static_cast<std::size_t>(channel));
    ChannelDisplays channels = view_->channels();
    ChannelDisplay& display = channels.at(static_cast<std::size_t>(channel));
    display.visible = row.visible->isChecked();
    display.range = {row.low->value(), row.high->value()};
    view_->setChannels(std::move(channels));
}

void ChannelPanel::chooseColour(int channel) {
    ChannelDisplays channels = view_->channels();
    ChannelDisplay& display = channels.at(static_cast<std::size_t>(channel));
    const QColor colour = QColorDialog::getColor(display.colour, this, tr("Channel colour"));
    if (!colour.isValid())
        return;
    display.colour = colour;
    view_->setChannels(std::move(channels));
    showRow(channel);
}

void ChannelPanel::autoRange(int channel) {
    const std::shared_ptr<Source> source = view_->source();
    auto* watcher = new QFutureWatcher<Ranges>(this);
    connect(watcher, &QFutureWatcher<Ranges>::finished, this, [this, watcher, source, channel] {
        watcher->deleteLater();
        if (view_->source() != source)
            return;
        Ranges ranges;
        try {
            ranges = watcher->result();
        } catch (const std::exception& e) {
            status_->setText(tr("Auto range failed: %1").arg(QString::fromUtf8(e.what())));
            return;
        }
        ChannelDisplays channels = view_->channels();
        channels.at(static_cast<std::size_t>(channel)).range =
            ranges.at(static_cast<std::size_t>(channel));
        view_->setChannels(std::move(channels));
        showRow(channel);
    });
    watcher->setFuture(coarsestLevelRanges(source, kAutoLow, kAutoHigh));
}

}  // namespace tileflow::gui
