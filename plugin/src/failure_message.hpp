// Internal: the message a job reports for an exception, with the messages of the exceptions
// nested in it (the engine nests a tile's own error in one naming the tile).
#pragma once

#include <QString>
#include <exception>
#include <string>

namespace tileflow::plugin::detail {

inline QString failureMessage(const std::exception& e) {
    std::string message = e.what();
    try {
        std::rethrow_if_nested(e);
    } catch (const std::exception& nested) {
        message += ": " + failureMessage(nested).toStdString();
    } catch (...) {
        message += ": unknown error";
    }
    return QString::fromStdString(message);
}

}  // namespace tileflow::plugin::detail
