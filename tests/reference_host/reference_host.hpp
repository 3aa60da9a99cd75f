// A minimal host viewer that is not TileFlow's: a QMainWindow with a HostContext over an
// image source, panels as dock widgets and result layers as maps of tiles. It includes only
// TileFlow's public interface headers, as a third-party host would. The context is kept apart
// from the window, as a separate object, so neither interface's names can clash.
//
// Every HostContext call is checked: made on the GUI thread and while attached, or it is
// counted as a violation.
#pragma once

#include <QMainWindow>
#include <QRegion>
#include <map>
#include <memory>
#include <tuple>

#include "tileflow/plugin/host_extension.hpp"

class ReferenceHost final : public tileflow::plugin::HostContext {
public:
    explicit ReferenceHost(std::shared_ptr<tileflow::Source> source);

    QMainWindow& window() { return *window_; }

    // What the host shows; the caller tells the extension with viewChanged().
    void setView(const tileflow::plugin::ViewState& view) { view_ = view; }
    // Whether the extension may call; calls outside attach()..detach() are violations.
    void setAttached(bool attached) { attached_ = attached; }

    using TileKey = std::tuple<int, int, int, int>;  // x, y, width, height in level-0 pixels
    const std::map<TileKey, QImage>& layer(const QString& layerId) const;
    // True when the layer's tiles together cover `level0Rect`.
    bool covers(const QString& layerId, const QRect& level0Rect) const;
    int tileCalls() const { return tileCalls_; }
    int violations() const { return violations_; }

    std::shared_ptr<tileflow::Source> source() const override;
    QString imagePath() const override { return {}; }
    tileflow::plugin::ViewState view() const override;
    QWidget* dialogParent() const override;
    void addPanel(QWidget* panel, const QString& title, Qt::DockWidgetArea area) override;
    void setLayerTile(const QString& layerId, const QRect& level0Rect, const QImage& tile) override;
    void clearLayer(const QString& layerId) override;

private:
    void check() const;

    std::unique_ptr<QMainWindow> window_ = std::make_unique<QMainWindow>();
    std::shared_ptr<tileflow::Source> source_;
    tileflow::plugin::ViewState view_;
    std::map<QString, std::map<TileKey, QImage>> layers_;
    bool attached_ = false;
    int tileCalls_ = 0;
    mutable int violations_ = 0;
};
