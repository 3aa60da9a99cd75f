/// @file
/// Errors raised by the TileFlow library.
///
/// Every failure inside the library is reported by throwing one of these types; nothing is
/// printed. Messages are complete sentences a front end can show as they are: they name
/// the parameter, file or tile concerned and what was expected.
#pragma once

#include <stdexcept>
#include <string>

namespace tileflow {

/// Base of all TileFlow errors.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A caller passed a value the API does not accept (bad tile size, unknown operation...).
class InvalidArgument : public Error {
public:
    using Error::Error;
};

/// Reading or writing a file failed, or a file's content is malformed.
class IoError : public Error {
public:
    using Error::Error;
};

/// A file (or a run) claims more than a configured resource limit (limits.hpp). The message
/// names the limit and how to raise it. It is an IoError because a file's claims are what
/// exceed the limits, and code that refuses malformed files by catching IoError refuses these.
class LimitError : public IoError {
public:
    using IoError::IoError;
};

/// A run was stopped through its stop token. No complete-looking output was produced.
class Cancelled : public Error {
public:
    Cancelled() : Error("processing was cancelled") {}
};

}  // namespace tileflow
