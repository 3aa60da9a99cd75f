// The host extension module's root object (tileflow/plugin/host_extension.hpp): one
// ProcessingController per attached host.
#include <QObject>
#include <memory>

#include "processing_controller.hpp"
#include "tileflow/plugin/host_extension.hpp"

namespace tileflow::plugin {

class ProcessingExtension : public QObject, public HostExtension {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID TILEFLOW_HOST_EXTENSION_IID FILE "tileflow_processing.json")
    Q_INTERFACES(tileflow::plugin::HostExtension)

public:
    QString name() const override { return QStringLiteral("tileflow-processing"); }

    void attach(HostContext* host) override {
        controller_ = std::make_unique<ProcessingController>(host);
    }

    void detach() override { controller_.reset(); }

    void viewChanged(const ViewState& view) override {
        if (controller_)
            controller_->viewChanged(view);
    }

private:
    std::unique_ptr<ProcessingController> controller_;
};

}  // namespace tileflow::plugin

#include "processing_extension.moc"
