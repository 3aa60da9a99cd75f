// How the panels write sizes and durations: "12.5 MiB", "3.2 s", "4 min 05 s".
#pragma once

#include <QString>
#include <QtGlobal>

namespace tileflow::plugin {

QString bytesText(qint64 bytes);
QString secondsText(double seconds);

}  // namespace tileflow::plugin
