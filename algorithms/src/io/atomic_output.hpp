// Internal: helpers for sinks that write to a temporary name and rename it into place.
#pragma once

#include <string>
#include <string_view>

namespace tileflow::detail {

// The text of an errno value, e.g. "No space left on device".
std::string errnoText(int err);

// A fresh name beside `path`: "<path>.<tag>-<pid>-<16 random hex digits>-<host name>".
std::string uniquePathBeside(const std::string& path, std::string_view tag);

// The temporary name a sink writes `path` under: uniquePathBeside(path, "tmp"). First it
// removes the temporaries of `path` that processes of this host left when they were killed
// (their pid no longer runs); temporaries of running processes and of other hosts sharing
// the folder stay. That removal is best effort: what cannot be removed is left as it was.
// Throws tileflow::IoError when the folder of `path` does not exist.
std::string temporaryPathFor(const std::string& path);

// Makes a rename into the folder holding `path` durable by syncing that folder; throws
// tileflow::IoError when the folder cannot be opened or synced.
void syncParentFolder(const std::string& path);

}  // namespace tileflow::detail
