// `tileflow process --batch LIST OUTDIR` (and tileflow-mpi's, shared among ranks): many slides
// through one operation, one output each, where one bad slide fails only itself.
//
// LIST is a text file with one input per line (blank lines and lines starting with '#' are
// skipped; a relative path is taken from LIST's folder, so that every node of a cluster reads
// the same files). Each input is written to OUTDIR/<its name without extension><suffix>
// (paths made absolute). With --skip-existing, an input whose output exists is kept as it is:
// outputs only ever appear complete (written aside, renamed into place), so a batch cut off
// by a job's time limit is finished by running it again.
// Slides are shared among workers by size, largest first, each to the worker with the fewest
// bytes so far: the long slides start early and the shares end close together.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <stop_token>
#include <string>
#include <vector>

#include "arguments.hpp"

namespace tileflow::cli {

struct BatchItem {
    std::string input;
    std::string output;
    // What processing it costs, to share items: its size on disk (a folder's files summed);
    // 0 when it cannot be read or its output is kept (see discountKeptOutputs).
    std::uintmax_t bytes = 0;
};

// The items of `list` in its order, outputs in `folder`. Throws IoError when the list cannot
// be read, InvalidArgument when it names nothing, two inputs would write one output or an
// output would be written over its input.
std::vector<BatchItem> readBatchList(const std::string& list, const std::string& folder,
                                     const std::string& suffix);

// For --skip-existing: each item whose output exists costs 0, so that workers share only what
// is left. One process decides it before the list is shared: every worker must assign from the
// same costs, and the nodes of a cluster may see a shared folder change at different times.
void discountKeptOutputs(std::vector<BatchItem>& items);

// The worker (0..workers-1) of each item: largest first to the least loaded, ties to the
// earlier item and the lower worker. The same on every process given the same sizes.
std::vector<int> assignLargestFirst(const std::vector<std::uintmax_t>& bytes, int workers);

struct BatchOutcome {
    enum class Status { Written, Failed, Cancelled, Kept };
    Status status = Status::Cancelled;
    std::string message;  // why it failed; empty otherwise
    double seconds = 0;
};

// Processes `item` with the options of `base` (its input and output replaced), or keeps its
// output with --skip-existing. Never throws for a failure of the slide: it is the outcome.
BatchOutcome processBatchItem(const ProcessArguments& base, const BatchItem& item,
                              const std::stop_token& stop);

// One line per item, in list order, then a count on `out`; a line on `err`, after
// `program`, when not every item was written or kept. Returns the exit status: 0 when every
// item was written or kept, 130 when the run was cancelled, 1 otherwise. `workers`: each item's,
// for its line.
int printBatchSummary(const std::vector<BatchItem>& items,
                      const std::vector<BatchOutcome>& outcomes, const std::vector<int>& workers,
                      const std::string& program, std::ostream& out, std::ostream& err);

// Checks what every slide needs (the operation, the output folder, made when missing) so
// that a mistake there fails the run once instead of every slide.
void prepareBatch(const ProcessArguments& parsed);

// The single-process batch: every slide in list order, then the summary on `out`.
int runBatchProcess(const ProcessArguments& parsed, std::ostream& out, std::ostream& err);

// Outcomes as text and back, to send them between processes.
std::string encodeOutcomes(const std::vector<BatchOutcome>& outcomes);
std::vector<BatchOutcome> decodeOutcomes(const std::string& text);
std::string encodeItems(const std::vector<BatchItem>& items);
std::vector<BatchItem> decodeItems(const std::string& text);

}  // namespace tileflow::cli
