// Test helpers for suites that drive the viewer's main window: open it on an image, find its
// widgets (and the processing extension's) by object name, pick an operation.
//
// openWindow() fails the calling test (QVERIFY) when the window cannot be shown or the image
// opened; childNamed() ends the test run (qFatal) when no such widget exists, since every
// later step would fail on it too.
#pragma once

#include <QListWidget>
#include <QSize>
#include <QStringList>
#include <QTest>
#include <memory>

#include "gui/main_window.hpp"

namespace tileflow::testing {

template <typename Widget>
Widget* childNamed(const QObject& root, const QString& name) {
    auto* found = root.findChild<Widget*>(name);
    if (found == nullptr)
        qFatal("no widget named %s", qPrintable(name));
    return found;
}

// A new main window in `window`, shown (at `size` when given) and opened on `name`; errors the
// window reports go to `errors`.
inline void openWindow(std::unique_ptr<gui::MainWindow>& window, const QString& name,
                       QStringList& errors, QSize size = {}) {
    window = std::make_unique<gui::MainWindow>();
    window->setErrorReporter(
        [&errors](const QString& title, const QString& message) { errors << title + message; });
    if (size.isValid())
        window->resize(size);
    window->show();
    QVERIFY(QTest::qWaitForWindowExposed(window.get()));
    QVERIFY2(window->openImage(name), qPrintable(errors.join('\n')));
}

// Makes operation `id` the processing panel's current one.
inline void selectOperation(const QObject& root, const QString& id) {
    auto* list = childNamed<QListWidget>(root, QStringLiteral("operationList"));
    for (int row = 0; row < list->count(); ++row) {
        if (list->item(row)->data(Qt::UserRole).toString() == id)
            list->setCurrentRow(row);
    }
    QVERIFY(list->currentItem() != nullptr);
    QCOMPARE(list->currentItem()->data(Qt::UserRole).toString(), id);
}

}  // namespace tileflow::testing
