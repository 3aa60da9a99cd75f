/// @file
/// Host extensions: what a host viewer loads to gain TileFlow.
///
/// A host (an image viewer that is not TileFlow's) implements HostContext over its own
/// window and image, loads a module whose root object implements HostExtension
/// (IID TILEFLOW_HOST_EXTENSION_IID, JSON metadata as for operation plugins, see
/// operation_plugin.hpp), and calls attach() once. The extension contributes panels through
/// the context and paints results into named layers that the host overlays on its view.
/// The host calls viewChanged() whenever its view moves or zooms, and detach() before the
/// context goes away.
///
/// Coordinates: rectangles are level-0 pixels of the image (its full resolution); `level`
/// is the pyramid level the host is showing (0: full resolution).
///
/// Thread-safety: every call, both ways, happens on the host's GUI thread. Only source() may
/// be used from other threads: tileflow::Source reads are thread-safe (source.hpp).
/// Ownership: the host owns the context, which stays valid between attach() and detach();
/// panels passed to addPanel() become the host's (Qt parent-child). The extension object is
/// the plugin's root component, owned by Qt's plugin loader.
/// Errors: contexts and extensions report nothing by exception across this boundary; a host
/// that cannot show a layer ignores it.
#pragma once

#include <QImage>
#include <QRect>
#include <QString>
#include <QtPlugin>
#include <cstdint>
#include <memory>

#include "tileflow/source.hpp"

class QWidget;

/// The Qt layer every TileFlow host shares: plugin interfaces and discovery, background jobs
/// and what they report.
namespace tileflow::plugin {

/// What the host is showing.
struct ViewState {
    QRect level0Rect;  ///< the visible part of the image, in level-0 pixels
    int level = 0;     ///< the pyramid level the host draws from
    /// Equal when rectangle and level are.
    friend bool operator==(const ViewState&, const ViewState&) = default;
};

/// What a host gives an extension: its image, view, windows and result layers.
/// Implemented by the host; see the file description.
class HostContext {
public:
    virtual ~HostContext();

    /// The image, as a source: opened from imagePath(), or a CallbackSource
    /// (callback_source.hpp) over the host's own region reader. Never null while attached.
    virtual std::shared_ptr<Source> source() const = 0;
    /// The image file, when the image has one; empty otherwise.
    virtual QString imagePath() const = 0;
    /// What the host shows now.
    virtual ViewState view() const = 0;

    /// The host's main window, as parent for dialogs.
    virtual QWidget* dialogParent() const = 0;
    /// Shows `panel` titled `title` in the host's dock area `area`; the host takes ownership.
    virtual void addPanel(QWidget* panel, const QString& title, Qt::DockWidgetArea area) = 0;

    /// Puts `tile` (any QImage format; alpha is honoured) over the image at `level0Rect` in
    /// the result layer `layerId`, creating the layer on first use.
    virtual void setLayerTile(const QString& layerId, const QRect& level0Rect,
                              const QImage& tile) = 0;
    /// Removes every tile of the layer.
    virtual void clearLayer(const QString& layerId) = 0;

    /// Since 1.1: the bytes the host holds to show the image (its display cache), for the
    /// memory panel; 0 when it keeps none or does not say.
    virtual std::int64_t displayCacheBytes() const { return 0; }
};

/// The root interface of a host extension module; see the file description.
class HostExtension {
public:
    virtual ~HostExtension();

    /// A name for people, e.g. in a host's plugin list.
    virtual QString name() const = 0;
    /// Starts working with `host`; called once, before any other call.
    virtual void attach(HostContext* host) = 0;
    /// Stops: after it returns the extension must not touch the context again.
    virtual void detach() = 0;
    /// The host's view moved or zoomed: `view` is what it shows now.
    virtual void viewChanged(const ViewState& view) = 0;
};

}  // namespace tileflow::plugin

/// The IID a host extension module declares (Q_PLUGIN_METADATA) and hosts check.
#define TILEFLOW_HOST_EXTENSION_IID "org.tileflow.HostExtension/1.1"
Q_DECLARE_INTERFACE(tileflow::plugin::HostExtension, TILEFLOW_HOST_EXTENSION_IID)
