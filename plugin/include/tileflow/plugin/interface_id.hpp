/// @file
/// Versioned interface identifiers: `"org.tileflow.<Name>/<major>.<minor>"`.
///
/// A plugin names the interface it implements, and the interface version it was built
/// against, in its IID. A host that provides `<Name>/<M>.<m>` accepts plugins built for
/// `<Name>/<M>.<n>` with n <= m: minor versions only append to an interface (the host calls
/// the newer parts only on plugins that declare them), a new major version breaks it.
///
/// Plain values; thread-safe. parse() reports a malformed IID as std::nullopt, not by throwing.
#pragma once

#include <QString>
#include <optional>

namespace tileflow::plugin {

/// An IID taken apart.
struct InterfaceId {
    QString name;          ///< "OperationPlugin", "HostExtension", ...
    int majorVersion = 0;  ///< a new major version breaks the interface
    int minorVersion = 0;  ///< minor versions only append to it

    /// Accepts exactly `"org.tileflow.<Name>/<major>.<minor>"`, Name a C++ identifier.
    static std::optional<InterfaceId> parse(const QString& iid);
    QString toString() const;  ///< the IID again
    QString version() const;   ///< `"<major>.<minor>"`
    /// Equal when name and both versions are.
    friend bool operator==(const InterfaceId&, const InterfaceId&) = default;
};

/// True when a host providing `host` can load a plugin built for `plugin`: same interface,
/// same major version, plugin minor version at most the host's.
bool isCompatible(const InterfaceId& host, const InterfaceId& plugin);

}  // namespace tileflow::plugin
