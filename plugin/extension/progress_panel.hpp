// The progress panel: one row per job with tiles done/total (a QProgressBar), the rate in
// megapixels per second, the ETA and the elapsed time, then how the job ended.
//
// Rows are added by addJob() and fed by the job's progress signal (job_types.hpp). A row
// shows new figures at most every kRefreshMilliseconds (the last ones, and the final
// done == total, always): a view job reports every tile, and each change of a QProgressBar
// repaints the window at once, the slide view with it. The newest rows are kept, the oldest ended
// ones dropped beyond kMaxRows. The panel is "tileflowProgressPanel"; each row's bar is
// "progress.<job>" and its text "figures.<job>". GUI thread only.
#pragma once

#include <QElapsedTimer>
#include <QString>
#include <QTimer>
#include <QWidget>
#include <map>
#include <optional>

#include "tileflow/plugin/job_types.hpp"

class QLabel;
class QProgressBar;
class QVBoxLayout;

namespace tileflow::plugin {

class ProgressPanel : public QWidget {
    Q_OBJECT

public:
    static constexpr int kMaxRows = 8;
    static constexpr int kRefreshMilliseconds = 100;

    explicit ProgressPanel(QWidget* parent = nullptr);

    // A new row titled `title`; returns the job number its updates name.
    int addJob(const QString& title);
    void showProgress(int job, const JobProgress& progress);
    // Marks the job as ended with `outcome` ("finished", "cancelled", "failed: ...").
    void showOutcome(int job, const QString& outcome);

private:
    struct Row {
        QWidget* box = nullptr;
        QProgressBar* bar = nullptr;
        QLabel* figures = nullptr;
        bool ended = false;
        std::optional<JobProgress> pending;  // received, not shown yet
        QElapsedTimer shown;                 // since the figures last changed
    };

    void showPending(Row& row);
    void showAllPending();
    void dropOldEndedRows();

    QVBoxLayout* rowsLayout_;
    std::map<int, Row> rows_;  // by job number, oldest first
    QTimer refresh_;
    int nextJob_ = 1;
};

}  // namespace tileflow::plugin
