#include "tileflow/plugin/interface_id.hpp"

#include <QRegularExpression>

namespace tileflow::plugin {

std::optional<InterfaceId> InterfaceId::parse(const QString& iid) {
    static const QRegularExpression pattern(
        QStringLiteral(R"(^org\.tileflow\.([A-Za-z_][A-Za-z0-9_]*)/(\d{1,6})\.(\d{1,6})$)"));
    const QRegularExpressionMatch match = pattern.match(iid);
    if (!match.hasMatch())
        return std::nullopt;
    return InterfaceId{match.captured(1), match.captured(2).toInt(), match.captured(3).toInt()};
}

QString InterfaceId::toString() const {
    return QStringLiteral("org.tileflow.%1/%2").arg(name, version());
}

QString InterfaceId::version() const {
    return QStringLiteral("%1.%2").arg(majorVersion).arg(minorVersion);
}

bool isCompatible(const InterfaceId& host, const InterfaceId& plugin) {
    return plugin.name == host.name && plugin.majorVersion == host.majorVersion &&
           plugin.minorVersion <= host.minorVersion;
}

}  // namespace tileflow::plugin
