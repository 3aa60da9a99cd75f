"""The engine's built-in operations, by id: ``sobel``, ``gaussian``, ``stretch``,
``threshold``, ``nuclei``, ``tissue``, ``ratio``, ``copy``.

``tileflow.operation("gaussian", sigma=2)`` checks the parameters and returns an Operation;
``TileFlow(...).configure("gaussian", sigma=2)`` does the same. Such runs happen entirely in
C++, on every core, without the GIL. ``tileflow.operations()`` describes each operation and
its parameters (type, default, range, unit).
"""

from __future__ import annotations

from . import _native

__all__ = ["Operation", "operation", "operations"]


def operations() -> list[dict]:
    """Every built-in operation: id, name, description and parameters."""
    return _native.operation_infos()


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Operation:
    """A built-in operation with checked parameter values (ValueError names a bad one)."""

    def __init__(self, op_id: str, **parameters) -> None:
        self.id = op_id
        self.parameters = dict(parameters)
        self._native = _native.create_operation(
            op_id, {name: _text(value) for name, value in parameters.items()})

    @property
    def radius(self) -> int:
        """Pixels of context each output pixel depends on: the overlap a run needs."""
        return self._native.radius

    def __call__(self, tile, tile_spec=None):
        """The operation applied to one array as a whole image (usable as a tile function)."""
        from .model import run_operation_on
        return run_operation_on(self, tile)

    def __repr__(self) -> str:
        args = "".join(f", {k}={v!r}" for k, v in self.parameters.items())
        return f"tileflow.operation({self.id!r}{args})"


def operation(op_id: str, **parameters) -> Operation:
    """The built-in operation ``op_id`` with ``parameters``; see the module description."""
    return Operation(op_id, **parameters)
