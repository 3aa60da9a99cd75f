// Interface identifiers: parsing "org.tileflow.<Name>/<major>.<minor>" and the rule that
// decides which plugin versions a host accepts.
#include <QtTest>

#include "tileflow/plugin/host_extension.hpp"
#include "tileflow/plugin/interface_id.hpp"
#include "tileflow/plugin/operation_plugin.hpp"

using tileflow::plugin::InterfaceId;
using tileflow::plugin::isCompatible;

class TestPluginVersion : public QObject {
    Q_OBJECT

private slots:
    void parsesWellFormedIids() {
        const auto id = InterfaceId::parse(QStringLiteral("org.tileflow.OperationPlugin/12.3"));
        QVERIFY(id.has_value());
        QCOMPARE(id->name, QStringLiteral("OperationPlugin"));
        QCOMPARE(id->majorVersion, 12);
        QCOMPARE(id->minorVersion, 3);
        QCOMPARE(id->version(), QStringLiteral("12.3"));
        QCOMPARE(id->toString(), QStringLiteral("org.tileflow.OperationPlugin/12.3"));
    }

    void parsesTheHostInterfaces() {
        for (const char* iid : {TILEFLOW_OPERATION_PLUGIN_IID, TILEFLOW_HOST_EXTENSION_IID}) {
            const auto id = InterfaceId::parse(QLatin1String(iid));
            QVERIFY2(id.has_value(), iid);
            QCOMPARE(id->toString(), QLatin1String(iid));
        }
    }

    void rejectsMalformedIids_data() {
        QTest::addColumn<QString>("iid");
        QTest::newRow("empty") << "";
        QTest::newRow("other vendor") << "org.example.OperationPlugin/1.0";
        QTest::newRow("no version") << "org.tileflow.OperationPlugin";
        QTest::newRow("major only") << "org.tileflow.OperationPlugin/1";
        QTest::newRow("three parts") << "org.tileflow.OperationPlugin/1.0.2";
        QTest::newRow("negative") << "org.tileflow.OperationPlugin/-1.0";
        QTest::newRow("letters") << "org.tileflow.OperationPlugin/1.x";
        QTest::newRow("no name") << "org.tileflow./1.0";
        QTest::newRow("nested name") << "org.tileflow.a.b/1.0";
        QTest::newRow("trailing space") << "org.tileflow.OperationPlugin/1.0 ";
        QTest::newRow("huge") << "org.tileflow.OperationPlugin/99999999999.0";
    }
    void rejectsMalformedIids() {
        QFETCH(QString, iid);
        QVERIFY(!InterfaceId::parse(iid).has_value());
    }

    void decidesCompatibility_data() {
        QTest::addColumn<QString>("host");
        QTest::addColumn<QString>("plugin");
        QTest::addColumn<bool>("compatible");
        const QString op = QStringLiteral("org.tileflow.OperationPlugin/");
        QTest::newRow("same") << op + "1.0" << op + "1.0" << true;
        QTest::newRow("older plugin minor") << op + "1.3" << op + "1.1" << true;
        QTest::newRow("newer plugin minor") << op + "1.0" << op + "1.1" << false;
        QTest::newRow("newer plugin major") << op + "1.0" << op + "2.0" << false;
        QTest::newRow("older plugin major") << op + "2.0" << op + "1.0" << false;
        QTest::newRow("other interface")
            << op + "1.0" << QStringLiteral("org.tileflow.HostExtension/1.0") << false;
    }
    void decidesCompatibility() {
        QFETCH(QString, host);
        QFETCH(QString, plugin);
        QFETCH(bool, compatible);
        QCOMPARE(isCompatible(*InterfaceId::parse(host), *InterfaceId::parse(plugin)), compatible);
    }
};

QTEST_GUILESS_MAIN(TestPluginVersion)
#include "test_plugin_version.moc"
