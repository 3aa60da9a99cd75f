#include "function_run.hpp"

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <cstring>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "array_view.hpp"
#include "interruptible.hpp"

namespace py = pybind11;

namespace tileflow::python {

namespace {

struct TileRects {
    std::int64_t row, col, cx0, cy0, cx1, cy1, hx0, hy0, hx1, hy1;
};

std::string tileName(const TileRects& t) {
    return "tile (row " + std::to_string(t.row) + ", col " + std::to_string(t.col) + ")";
}

// Where a block of pixels of one array lies: its first sample, the strides of every axis, the
// shape of the leading axes, and the rows and columns to copy.
struct Block {
    const std::byte* src = nullptr;
    std::byte* dst = nullptr;
    std::vector<py::ssize_t> leading, srcStrides, dstStrides;
    py::ssize_t rows = 0, cols = 0, itemsize = 0;
    py::ssize_t srcRow = 0, dstRow = 0, srcCol = 0, dstCol = 0;
};

// Copies the block without the GIL: whole rows at once where both sides are contiguous.
void copyBlock(const Block& b) {
    std::vector<py::ssize_t> index(b.leading.size(), 0);
    const bool contiguous = b.srcCol == b.itemsize && b.dstCol == b.itemsize;
    for (;;) {
        const std::byte* s = b.src;
        std::byte* d = b.dst;
        for (std::size_t a = 0; a < index.size(); ++a) {
            s += index[a] * b.srcStrides[a];
            d += index[a] * b.dstStrides[a];
        }
        for (py::ssize_t y = 0; y < b.rows; ++y) {
            const std::byte* sr = s + y * b.srcRow;
            std::byte* dr = d + y * b.dstRow;
            if (contiguous) {
                std::memcpy(dr, sr, static_cast<std::size_t>(b.cols * b.itemsize));
            } else {
                for (py::ssize_t x = 0; x < b.cols; ++x)
                    std::memcpy(dr + x * b.dstCol, sr + x * b.srcCol,
                                static_cast<std::size_t>(b.itemsize));
            }
        }
        std::size_t a = index.size();
        while (a > 0 && ++index[a - 1] == b.leading[a - 1])
            index[--a] = 0;
        if (a == 0)
            return;
    }
}

// A Python object released with the GIL, however the scope is left.
struct HeldObject {
    py::object object;
    HeldObject() = default;
    HeldObject(const HeldObject&) = delete;
    HeldObject& operator=(const HeldObject&) = delete;
    ~HeldObject() {
        if (PyObject* held = object.release().ptr()) {
            const PyGILState_STATE state = PyGILState_Ensure();
            Py_DECREF(held);
            PyGILState_Release(state);
        }
    }
};

class FunctionRun {
public:
    FunctionRun(const py::object& function, int arity, const py::array& input, std::int64_t inputY,
                std::int64_t inputX, const py::array_t<std::int64_t>& tiles, const py::list& specs,
                py::object out, std::array<std::int64_t, 4> outRegion, const py::object& listener)
        : function_(function),
          arity_(arity),
          input_(input),
          inputY_(inputY),
          inputX_(inputX),
          specs_(specs),
          out_(std::move(out)),
          outRegion_(outRegion),
          listener_(listener) {
        if (input.ndim() < 2)
            throw py::value_error("the input must have at least 2 dimensions");
        if (tiles.ndim() != 2 || tiles.shape(1) != 10)
            throw py::value_error("tiles must be an (N, 10) array");
        const auto rows = tiles.unchecked<2>();
        for (py::ssize_t i = 0; i < rows.shape(0); ++i) {
            tiles_.push_back({rows(i, 0), rows(i, 1), rows(i, 2), rows(i, 3), rows(i, 4),
                              rows(i, 5), rows(i, 6), rows(i, 7), rows(i, 8), rows(i, 9)});
        }
        if (specs.size() != tiles_.size())
            throw py::value_error("one spec per tile is needed");
    }

    py::object run(int threads) {
        const auto count = static_cast<int>(tiles_.size());
        const int workers = std::max(1, std::min(threads, count));
        idents_.assign(static_cast<std::size_t>(workers), 0);
        inCall_.assign(static_cast<std::size_t>(workers), false);
        runInterruptibly(
            [&](const std::stop_token& stop) {
                std::vector<std::thread> pool;
                pool.reserve(static_cast<std::size_t>(workers));
                for (int w = 0; w < workers; ++w)
                    pool.emplace_back([this, w, stop] { work(static_cast<std::size_t>(w), stop); });
                for (std::thread& t : pool)
                    t.join();
                if (failure_)
                    std::rethrow_exception(failure_);
            },
            [this] { interruptCalls(); });
        return out_;
    }

private:
    // With the GIL: raises KeyboardInterrupt inside the tile functions running now.
    void interruptCalls() {
        for (std::size_t w = 0; w < inCall_.size(); ++w) {
            if (inCall_[w])
                PyThreadState_SetAsyncExc(idents_[w], PyExc_KeyboardInterrupt);
        }
    }

    void work(std::size_t worker, const std::stop_token& stop) {
        const py::gil_scoped_acquire threadState;  // kept for the worker's life
        idents_[worker] = PyThread_get_thread_ident();
        const py::gil_scoped_release unlocked;
        for (;;) {
            const std::size_t i = next_.fetch_add(1);
            if (i >= tiles_.size() || failed_.load() || stop.stop_requested())
                return;
            try {
                processTile(i, worker);
            } catch (...) {
                const std::lock_guard lock(failureMutex_);
                if (!failed_.exchange(true))
                    failure_ = std::current_exception();
                return;
            }
        }
    }

    void notify(const char* event, std::size_t i, const py::object* result) {
        if (listener_.is_none())
            return;
        const std::lock_guard lock(listenerMutex_);
        const py::gil_scoped_acquire gil;
        if (result)
            listener_.attr(event)(i, *result);
        else
            listener_.attr(event)(i);
    }

    void processTile(std::size_t i, std::size_t worker) {
        const TileRects& t = tiles_[i];
        notify("tile_start", i, nullptr);
        HeldObject result;
        Block block;
        bool sameDType = true;
        {
            const py::gil_scoped_acquire gil;
            py::array tile = tileView(t);
            inCall_[worker] = true;
            try {
                result.object = arity_ == 2 ? function_(tile, specs_[i]) : function_(tile);
            } catch (py::error_already_set& e) {
                inCall_[worker] = false;
                if (!e.matches(PyExc_KeyboardInterrupt))
                    e.value().attr("_tileflow_tile") = i;
                throw;
            }
            inCall_[worker] = false;
            const py::array r = checkedResult(result.object, t);
            py::array out = output(r);
            sameDType = r.dtype().equal(out.dtype());
            if (sameDType)
                block = blockOf(r, out, t);
            else
                copyCasting(r, out, t);
        }
        if (sameDType)
            copyBlock(block);
        notify("tile_end", i, &result.object);
    }

    // A read-only view of the tile's halo: every leading axis whole, the halo's rows and columns.
    py::array tileView(const TileRects& t) const {
        const py::ssize_t ndim = input_.ndim();
        const auto last = static_cast<std::size_t>(ndim - 1);
        std::vector<py::ssize_t> shape(input_.shape(), input_.shape() + ndim);
        std::vector<py::ssize_t> strides(input_.strides(), input_.strides() + ndim);
        shape[last - 1] = t.hy1 - t.hy0;
        shape[last] = t.hx1 - t.hx0;
        const auto* data = static_cast<const std::byte*>(input_.data()) +
                           (t.hy0 - inputY_) * strides[last - 1] +
                           (t.hx0 - inputX_) * strides[last];
        py::array view(input_.dtype(), shape, strides, data, input_);
        py::detail::array_proxy(view.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
        return view;
    }

    py::array checkedResult(const py::object& result, const TileRects& t) const {
        if (!py::isinstance<py::array>(result)) {
            throw py::type_error(tileName(t) + ": the tile function returned " +
                                 std::string(py::str(py::type::of(result).attr("__name__"))) +
                                 ", expected a numpy array");
        }
        auto r = py::reinterpret_borrow<py::array>(result);
        const py::ssize_t n = r.ndim();
        if (n < 2 || r.shape(n - 2) != t.hy1 - t.hy0 || r.shape(n - 1) != t.hx1 - t.hx0) {
            throw py::value_error(tileName(t) + ": the tile function returned shape " +
                                  shapeText(shapeOf(r)) + " for a tile of " +
                                  std::to_string(t.hy1 - t.hy0) + " x " +
                                  std::to_string(t.hx1 - t.hx0) +
                                  " pixels; the last two axes of its output must be the tile's "
                                  "(height, width)");
        }
        return r;
    }

    // The output, made from the first result when none was given; checked against `r`.
    py::array output(const py::array& r) {
        const py::ssize_t n = r.ndim();
        if (out_.is_none()) {
            std::vector<py::ssize_t> shape = shapeOf(r);
            shape[shape.size() - 2] = outRegion_[2];
            shape[shape.size() - 1] = outRegion_[3];
            out_ = py::array(r.dtype(), shape);
            firstDType_ = r.dtype();
        }
        auto out = py::reinterpret_borrow<py::array>(out_);
        bool leadingMatches = out.ndim() == n;
        for (py::ssize_t a = 0; leadingMatches && a < n - 2; ++a)
            leadingMatches = out.shape(a) == r.shape(a);
        if (!leadingMatches) {
            throw py::value_error("the tile function returned shape " + shapeText(shapeOf(r)) +
                                  " where the output has shape " + shapeText(shapeOf(out)) +
                                  ": every tile's output needs the same leading axes");
        }
        if (firstDType_ && !r.dtype().equal(*firstDType_)) {
            throw py::type_error(
                "the tile function returned " +
                py::str(static_cast<py::handle>(r.dtype())).cast<std::string>() +
                " where earlier tiles returned " +
                py::str(static_cast<py::handle>(*firstDType_)).cast<std::string>() +
                ": return one dtype");
        }
        return out;
    }

    Block blockOf(const py::array& r, py::array& out, const TileRects& t) const {
        const py::ssize_t n = r.ndim();
        Block b;
        b.itemsize = r.itemsize();
        b.rows = t.cy1 - t.cy0;
        b.cols = t.cx1 - t.cx0;
        b.srcRow = r.strides(n - 2);
        b.srcCol = r.strides(n - 1);
        b.dstRow = out.strides(n - 2);
        b.dstCol = out.strides(n - 1);
        b.src = static_cast<const std::byte*>(r.data()) + (t.cy0 - t.hy0) * b.srcRow +
                (t.cx0 - t.hx0) * b.srcCol;
        b.dst = static_cast<std::byte*>(out.mutable_data()) + (t.cy0 - outRegion_[0]) * b.dstRow +
                (t.cx0 - outRegion_[1]) * b.dstCol;
        for (py::ssize_t a = 0; a < n - 2; ++a) {
            b.leading.push_back(r.shape(a));
            b.srcStrides.push_back(r.strides(a));
            b.dstStrides.push_back(out.strides(a));
        }
        return b;
    }

    // A given output of another dtype: numpy casts, as np.copyto(casting="same_kind") does.
    void copyCasting(const py::array& r, const py::array& out, const TileRects& t) const {
        const auto ellipsis = py::reinterpret_borrow<py::object>(Py_Ellipsis);
        const py::tuple core = py::make_tuple(ellipsis, py::slice(t.cy0 - t.hy0, t.cy1 - t.hy0, 1),
                                              py::slice(t.cx0 - t.hx0, t.cx1 - t.hx0, 1));
        const py::tuple target =
            py::make_tuple(ellipsis, py::slice(t.cy0 - outRegion_[0], t.cy1 - outRegion_[0], 1),
                           py::slice(t.cx0 - outRegion_[1], t.cx1 - outRegion_[1], 1));
        py::module_::import("numpy").attr("copyto")(out[target], r[core],
                                                    py::arg("casting") = "same_kind");
    }

    py::object function_;
    int arity_;
    py::array input_;
    std::int64_t inputY_, inputX_;
    std::vector<TileRects> tiles_;
    py::list specs_;
    py::object out_;
    std::optional<py::dtype> firstDType_;
    std::array<std::int64_t, 4> outRegion_;
    py::object listener_;

    std::atomic<std::size_t> next_{0};
    std::atomic<bool> failed_{false};
    std::mutex failureMutex_;
    std::exception_ptr failure_;
    std::mutex listenerMutex_;
    // Touched with the GIL held only.
    std::vector<unsigned long> idents_;
    std::vector<bool> inCall_;
};

}  // namespace

py::object runTiles(const py::object& function, int arity, const py::array& input,
                    std::int64_t inputY, std::int64_t inputX,
                    const py::array_t<std::int64_t>& tiles, const py::list& specs, py::object out,
                    std::array<std::int64_t, 4> outRegion, const py::object& listener,
                    int threads) {
    FunctionRun run(function, arity, input, inputY, inputX, tiles, specs, std::move(out), outRegion,
                    listener);
    return run.run(threads);
}

}  // namespace tileflow::python
