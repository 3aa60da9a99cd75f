// tileflow._native: the engine for the tileflow Python package. What Python users see is
// the pure-Python package around it (python/tileflow/); this module only moves pixels,
// runs operations and tile functions, and turns the library's exceptions into Python's:
// InvalidArgument -> ValueError, IoError (and LimitError) -> OSError, Cancelled ->
// KeyboardInterrupt, any other tileflow::Error -> RuntimeError.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <map>
#include <memory>
#include <string>

#include "array_view.hpp"
#include "function_run.hpp"
#include "operation_run.hpp"
#include "tileflow/error.hpp"
#include "tileflow/monitors.hpp"
#include "tileflow/open.hpp"
#include "tileflow/registry.hpp"
#include "tileflow/source_views.hpp"

namespace py = pybind11;
using namespace tileflow;
using tileflow::python::constView;
using tileflow::python::engineDType;
using tileflow::python::numpyDType;
using tileflow::python::writableView;

namespace {

const char* parameterTypeName(ParameterType type) {
    switch (type) {
        case ParameterType::Integer:
            return "int";
        case ParameterType::Real:
            return "float";
        case ParameterType::Boolean:
            return "bool";
        case ParameterType::Choice:
            break;
    }
    return "choice";
}

py::dict describe(const OperationInfo& info) {
    py::list parameters;
    for (const ParameterInfo& p : info.parameters) {
        py::dict d;
        d["name"] = p.name;
        d["type"] = parameterTypeName(p.type);
        d["default"] = p.defaultValue;
        d["minimum"] = p.minimum;
        d["maximum"] = p.maximum;
        d["choices"] = p.choices;
        d["unit"] = p.unit;
        d["description"] = p.description;
        parameters.append(d);
    }
    py::dict d;
    d["id"] = info.id;
    d["name"] = info.name;
    d["description"] = info.description;
    d["parameters"] = parameters;
    return d;
}

// A level of a source that keeps the source alive.
struct ViewOf {
    std::shared_ptr<Source> viewed;
    std::unique_ptr<Source> view;
};

std::shared_ptr<Source> levelOf(const std::shared_ptr<Source>& source, int level) {
    auto holder = std::make_shared<ViewOf>();
    holder->viewed = source;
    holder->view = std::make_unique<LevelSource>(*source, level);
    return {holder, holder->view.get()};
}

// Pixels of `region` at `level`, as a (C, h, w) array; the read runs without the GIL.
py::array readRegion(const Source& source, int level, std::int64_t x, std::int64_t y,
                     std::int64_t width, std::int64_t height) {
    const ImageInfo info = source.info();
    py::array out(numpyDType(info.dtype), std::vector<py::ssize_t>{info.channels, height, width});
    std::optional<ImageView> view = writableView(out);
    {
        const py::gil_scoped_release unlocked;
        source.readLevel(level, {x, y, width, height}, *view);
    }
    return out;
}

// Writes what a Python tile function computed, band by band, to a file sink.
class SinkWriter {
public:
    SinkWriter(const std::string& path, const OutputSettings& settings)
        : sink_(createSink(path, settings)) {}
    void begin(int channels, const py::dtype& dtype, std::int64_t height, std::int64_t width) {
        const std::optional<DType> type = engineDType(dtype);
        if (!type) {
            throw py::type_error("a tile function's output of dtype " +
                                 py::str(static_cast<py::handle>(dtype)).cast<std::string>() +
                                 " cannot be written to a file; return uint8, int8, uint16, "
                                 "int16, uint32 or float32");
        }
        info_ = {{width, height}, channels, *type};
        sink_->begin(info_);
    }
    void write(std::int64_t x, std::int64_t y, const py::array& pixels) {
        const std::optional<ConstImageView> view = constView(pixels);
        if (!view || view->channels() != info_.channels || view->dtype() != info_.dtype)
            throw py::value_error("pixels of another shape or dtype than the output's");
        const py::gil_scoped_release unlocked;
        sink_->write({x, y, view->width(), view->height()}, *view);
    }
    void commit() {
        const py::gil_scoped_release unlocked;
        sink_->commit();
    }
    void abort() { sink_->abort(); }

private:
    std::unique_ptr<Sink> sink_;
    ImageInfo info_;
};

OutputSettings outputSettings(const std::optional<std::string>& compression, std::int64_t tileSize,
                              std::optional<double> micronsPerPixel,
                              std::vector<std::string> channelNames) {
    OutputSettings s;
    s.compression = compression;
    s.tileSize = tileSize;
    s.micronsPerPixel = micronsPerPixel;
    s.channelNames = std::move(channelNames);
    return s;
}

}  // namespace

PYBIND11_MODULE(_native, m) {
    m.doc() = "The TileFlow engine for the tileflow package (internal).";

    // pybind11 declares translators as taking the exception_ptr by value.
    // NOLINTNEXTLINE(performance-unnecessary-value-param)
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p)
                std::rethrow_exception(p);
        } catch (const Cancelled& e) {
            PyErr_SetString(PyExc_KeyboardInterrupt, e.what());
        } catch (const InvalidArgument& e) {
            PyErr_SetString(PyExc_ValueError, e.what());
        } catch (const IoError& e) {
            PyErr_SetString(PyExc_OSError, e.what());
        } catch (const Error& e) {
            PyErr_SetString(PyExc_RuntimeError, e.what());
        }
    });

    m.def("operation_infos", [] {
        py::list all;
        for (const OperationInfo& info : builtinOperations())
            all.append(describe(info));
        return all;
    });

    py::class_<Operation, std::shared_ptr<Operation>>(m, "Operation")
        .def_property_readonly("id", [](const Operation& op) { return std::string(op.id()); })
        .def_property_readonly("radius", &Operation::radius);
    m.def("create_operation",
          [](const std::string& id, const std::map<std::string, std::string>& p) {
              return std::const_pointer_cast<Operation>(createOperation(id, p));
          });

    py::class_<Source, std::shared_ptr<Source>>(m, "Source")
        .def_property_readonly("width", [](const Source& s) { return s.info().size.width; })
        .def_property_readonly("height", [](const Source& s) { return s.info().size.height; })
        .def_property_readonly("channels", [](const Source& s) { return s.info().channels; })
        .def_property_readonly("dtype", [](const Source& s) { return numpyDType(s.info().dtype); })
        .def("metadata",
             [](const Source& s) -> py::dict {
                 const SourceMetadata md = s.metadata();
                 py::list levels;
                 for (const SourceLevel& l : md.levels)
                     levels.append(py::make_tuple(l.size.width, l.size.height, l.downsample));
                 py::dict d;
                 d["format"] = md.format;
                 d["levels"] = levels;
                 d["channel_names"] = md.channelNames;
                 d["microns_per_pixel"] = md.micronsPerPixel;
                 d["properties"] = md.properties;
                 return d;
             })
        .def("read", &readRegion)
        .def("level", &levelOf);
    m.def("open_source", [](const std::string& name) {
        std::unique_ptr<Source> source;
        {
            const py::gil_scoped_release unlocked;
            source = openSource(name);
        }
        return std::shared_ptr<Source>(std::move(source));
    });

    py::class_<SinkWriter>(m, "SinkWriter")
        .def(py::init([](const std::string& path, const std::optional<std::string>& compression,
                         std::int64_t tileSize, std::optional<double> micronsPerPixel,
                         std::vector<std::string> channelNames) {
            return std::make_unique<SinkWriter>(
                path,
                outputSettings(compression, tileSize, micronsPerPixel, std::move(channelNames)));
        }))
        .def("begin", &SinkWriter::begin)
        .def("write", &SinkWriter::write)
        .def("commit", &SinkWriter::commit)
        .def("abort", &SinkWriter::abort);

    m.def("run_tiles", &python::runTiles);

    m.def("run_operation",
          [](const std::shared_ptr<Operation>& op, std::int64_t tileHeight, std::int64_t tileWidth,
             std::int64_t overlap, int threads, const py::object& input, py::object out,
             const std::optional<std::string>& outputPath,
             const std::optional<std::string>& compression, std::int64_t tileSize,
             std::optional<double> micronsPerPixel, std::vector<std::string> channelNames,
             const py::object& listener) {
              EngineOptions options;
              options.tile = {tileWidth, tileHeight};
              options.overlap = overlap;
              options.overlapPolicy = OverlapPolicy::Raise;
              options.threads = threads;
              auto [result, report] = python::runOperation(
                  op, options, input, std::move(out), outputPath,
                  outputSettings(compression, tileSize, micronsPerPixel, std::move(channelNames)),
                  listener);
              return py::make_tuple(result, report.notes, report.measurements);
          });

    m.def("process_memory", []() -> py::object {
        const std::optional<ProcessMemory> memory = processMemory();
        if (!memory)
            return py::none();
        return py::make_tuple(memory->rssBytes, memory->peakRssBytes);
    });
}
