#include "operation_run.hpp"

#include <pybind11/pybind11.h>

#include "array_io.hpp"
#include "array_view.hpp"
#include "interruptible.hpp"
#include "tileflow/error.hpp"

namespace py = pybind11;

namespace tileflow::python {

namespace {

py::tuple tileTuple(const Tile& t) {
    return py::make_tuple(t.index, t.row, t.col, t.core.x, t.core.y, t.core.width, t.core.height,
                          t.halo.x, t.halo.y, t.halo.width, t.halo.height);
}

// Engine events to the Python listener; the engine serialises them, and no thread waits for
// the engine's lock while it holds the GIL, so taking the GIL here cannot deadlock.
class ListenerCallbacks final : public Callbacks {
public:
    explicit ListenerCallbacks(py::object listener) : listener_(std::move(listener)) {}

    void onStart(const RunStats& s) override {
        const py::gil_scoped_acquire gil;
        listener_.attr("engine_start")(s.tilesTotal);
    }
    void onTileStart(const Tile& t, const RunStats& s) override { tile("engine_tile_start", t, s); }
    void onTileEnd(const Tile& t, double, const RunStats& s) override {
        tile("engine_tile_end", t, s);
    }

private:
    void tile(const char* event, const Tile& t, const RunStats& s) {
        const py::gil_scoped_acquire gil;
        listener_.attr(event)(tileTuple(t), s.tilesDone, s.engineBytes, s.enginePeakBytes);
    }
    py::object listener_;
};

// The shape of the result array: the input's leading axes for operations that keep the
// channels, (channels, H, W) otherwise, (H, W) for one channel from a 2-D input.
std::vector<py::ssize_t> resultShape(const std::vector<py::ssize_t>& inputShape,
                                     const ImageInfo& in, const ImageInfo& out) {
    std::vector<py::ssize_t> shape;
    if (out.channels == in.channels)
        shape.assign(inputShape.begin(), inputShape.end() - 2);
    else if (out.channels > 1 || inputShape.size() > 2)
        shape.push_back(out.channels);
    shape.push_back(out.size.height);
    shape.push_back(out.size.width);
    return shape;
}

}  // namespace

std::pair<py::object, OperationReport> runOperation(
    const std::shared_ptr<const Operation>& operation, const EngineOptions& options,
    const py::object& input, py::object out, const std::optional<std::string>& outputPath,
    const OutputSettings& settings, const py::object& listener) {
    const TileFlow flow(operation, options);
    // The input: a zero-copy view of an array the engine can read as it is, a converting
    // source over any other array, or a source opened from a file.
    std::optional<ConstImageView> view;
    std::unique_ptr<ArraySource> arraySource;
    std::shared_ptr<Source> fileSource;
    std::vector<py::ssize_t> inputShape;
    if (py::isinstance<py::array>(input)) {
        const auto array = py::reinterpret_borrow<py::array>(input);
        inputShape.assign(array.shape(), array.shape() + array.ndim());
        view = constView(array);
        if (!view)
            arraySource = std::make_unique<ArraySource>(array);
    } else {
        fileSource = input.cast<std::shared_ptr<Source>>();
        const ImageInfo info = fileSource->info();
        if (info.channels > 1)
            inputShape.push_back(info.channels);
        inputShape.push_back(info.size.height);
        inputShape.push_back(info.size.width);
    }
    const Source* source = arraySource ? arraySource.get() : fileSource.get();
    const ImageInfo inInfo = view ? view->info() : source->info();
    ImageInfo outInfo = operation->outputInfo(inInfo);
    outInfo.size = inInfo.size;

    std::unique_ptr<Sink> sink;
    std::optional<ImageView> target;
    if (outputPath) {
        sink = createSink(*outputPath, settings);
    } else {
        const std::vector<py::ssize_t> shape = resultShape(inputShape, inInfo, outInfo);
        if (out.is_none())
            out = py::array(numpyDType(outInfo.dtype), shape);
        auto array = py::reinterpret_borrow<py::array>(out);
        const std::vector<py::ssize_t> given = shapeOf(array);
        if (!array.dtype().equal(numpyDType(outInfo.dtype)) || given != shape) {
            throw py::type_error(
                "out must be a " + std::string(dtypeName(outInfo.dtype)) + " array of shape " +
                shapeText(shape) + " for '" + std::string(operation->id()) + "', got " +
                py::str(static_cast<py::handle>(array.dtype())).cast<std::string>() + " " +
                shapeText(given));
        }
        target = writableView(array);
        if (!target) {
            throw py::value_error(
                "out must be writeable, with contiguous rows and leading axes that fold into "
                "channels");
        }
        if (!view)
            sink = std::make_unique<ArraySink>(*target);
    }

    std::unique_ptr<ListenerCallbacks> callbacks;
    if (!listener.is_none())
        callbacks = std::make_unique<ListenerCallbacks>(listener);
    RunReport report;
    runInterruptibly([&](std::stop_token stop) {
        const RunControl control{callbacks.get(), std::move(stop)};
        if (view && target) {
            report = flow.run(*view, *target, control);
        } else if (view) {
            const MemorySource memory(*view);
            report = flow.run(memory, *sink, control);
        } else {
            report = flow.run(*source, *sink, control);
        }
    });
    OperationReport result{report.notes, {}};
    for (const Measurement& m : report.measurements)
        result.measurements.emplace_back(m.name, m.value);
    return {outputPath ? py::none() : out, result};
}

}  // namespace tileflow::python
