#include "batch.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <numeric>
#include <ostream>
#include <sstream>

#include "operation_lookup.hpp"
#include "process_setup.hpp"
#include "signal_stop.hpp"
#include "tileflow/error.hpp"

namespace tileflow::cli {

namespace {

namespace fs = std::filesystem;

std::uintmax_t bytesOnDisk(const fs::path& path) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
        const std::uintmax_t size = fs::file_size(path, ec);
        return ec ? 0 : size;
    }
    std::uintmax_t total = 0;
    for (auto it = fs::recursive_directory_iterator(path, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec))
            total += it->file_size(ec);
    }
    return total;
}

// "slide.svs" -> "slide", "stack.ome.tif" -> "stack", "plate.zarr/" -> "plate".
std::string baseName(const std::string& input) {
    fs::path name = fs::path(input).lexically_normal();
    if (name.filename().empty())
        name = name.parent_path();
    std::string stem = name.stem().string();
    if (stem.ends_with(".ome"))
        stem.resize(stem.size() - 4);
    return stem;
}

std::string trimmed(const std::string& line) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos)
        return {};
    return line.substr(first, line.find_last_not_of(" \t\r") - first + 1);
}

// Fields separated by NUL, which no path or message holds.
std::vector<std::string> splitFields(const std::string& text) {
    std::vector<std::string> fields;
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = text.find('\0', start);
        fields.push_back(text.substr(start, end - start));
        start = end == std::string::npos ? text.size() : end + 1;
    }
    return fields;
}

void appendField(std::string& text, const std::string& field) {
    text += field;
    text += '\0';
}

}  // namespace

std::vector<BatchItem> readBatchList(const std::string& list, const std::string& folder,
                                     const std::string& suffix) {
    std::ifstream in(list);
    if (!in)
        throw IoError("cannot read the batch list '" + list + "'");
    // Absolute, so that ranks in other working folders find the same files.
    const fs::path listFolder = fs::absolute(list).parent_path();
    const fs::path outputFolder = fs::absolute(folder);
    std::vector<BatchItem> items;
    std::map<std::string, std::string> inputOf;  // output -> the input that writes it
    std::string line;
    while (std::getline(in, line)) {
        const std::string entry = trimmed(line);
        if (entry.empty() || entry.starts_with('#'))
            continue;
        const fs::path path(entry);
        BatchItem item;
        // A generated image (synthetic:...) is no file.
        const bool file = !entry.starts_with("synthetic:");
        item.input =
            !file || path.is_absolute() ? entry : (listFolder / path).lexically_normal().string();
        item.output = (outputFolder / (baseName(file ? entry : "synthetic") + suffix)).string();
        item.bytes = bytesOnDisk(item.input);
        const auto [other, isNew] = inputOf.emplace(item.output, item.input);
        if (!isNew) {
            throw InvalidArgument("the batch list '" + list + "' has '" + other->second +
                                  "' and '" + item.input + "', which would both write '" +
                                  item.output + "'");
        }
        std::error_code ec;
        if (fs::weakly_canonical(item.input, ec) == fs::weakly_canonical(item.output, ec)) {
            throw InvalidArgument("the batch list '" + list + "' has '" + item.input +
                                  "', which would be written over: give another output folder "
                                  "or --out-suffix");
        }
        items.push_back(std::move(item));
    }
    if (in.bad())
        throw IoError("cannot read the batch list '" + list + "'");
    if (items.empty())
        throw InvalidArgument("the batch list '" + list + "' names no input");
    return items;
}

std::vector<int> assignLargestFirst(const std::vector<std::uintmax_t>& bytes, int workers) {
    std::vector<std::size_t> order(bytes.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return bytes[a] > bytes[b]; });
    std::vector<std::uintmax_t> load(static_cast<std::size_t>(workers), 0);
    std::vector<int> worker(bytes.size(), 0);
    for (const std::size_t item : order) {
        const auto least = std::min_element(load.begin(), load.end());
        worker[item] = static_cast<int>(least - load.begin());
        // An unreadable input still costs a little, so that several spread out.
        *least += std::max<std::uintmax_t>(bytes[item], 1);
    }
    return worker;
}

BatchOutcome processBatchItem(const ProcessArguments& base, const BatchItem& item,
                              const std::stop_token& stop) {
    if (base.skipExisting) {
        std::error_code ec;
        if (fs::exists(item.output, ec))
            return {BatchOutcome::Status::Kept, {}, 0};
        if (ec)  // not known to be absent: writing could replace finished work
            return {BatchOutcome::Status::Failed,
                    "cannot tell whether '" + item.output + "' exists: " + ec.message(), 0};
    }
    if (stop.stop_requested())
        return {BatchOutcome::Status::Cancelled, {}, 0};
    const auto start = std::chrono::steady_clock::now();
    const auto since = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    try {
        ProcessArguments one = base;
        one.batch.reset();
        one.input = item.input;
        one.output = item.output;
        ProcessSetup setup(one);
        Sink& sink = setup.output(createSink(one.output, setup.settings()));
        TileFlow(setup.operation(), one.engine).run(setup.source(), sink, {nullptr, stop});
    } catch (const Cancelled&) {
        return {BatchOutcome::Status::Cancelled, {}, since()};
    } catch (const std::exception& e) {
        return {BatchOutcome::Status::Failed, e.what(), since()};
    } catch (...) {  // a plugin's own exception type: still this slide's failure alone
        return {BatchOutcome::Status::Failed,
                "failed with an exception that is not a std::exception", since()};
    }
    return {BatchOutcome::Status::Written, {}, since()};
}

int printBatchSummary(const std::vector<BatchItem>& items,
                      const std::vector<BatchOutcome>& outcomes, const std::vector<int>& workers,
                      const std::string& program, std::ostream& out, std::ostream& err) {
    int written = 0, failed = 0, kept = 0;
    const bool distributed = *std::max_element(workers.begin(), workers.end()) > 0;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const BatchOutcome& o = outcomes[i];
        std::ostringstream where;
        where << std::fixed << std::setprecision(2) << " (" << o.seconds << " s";
        if (distributed)
            where << ", rank " << workers[i];
        where << ')';
        switch (o.status) {
            case BatchOutcome::Status::Written:
                ++written;
                out << "written    " << items[i].input << " -> " << items[i].output << where.str()
                    << '\n';
                break;
            case BatchOutcome::Status::Failed:
                ++failed;
                out << "FAILED     " << items[i].input << where.str() << ": " << o.message << '\n';
                break;
            case BatchOutcome::Status::Cancelled:
                out << "cancelled  " << items[i].input << '\n';
                break;
            case BatchOutcome::Status::Kept:
                ++kept;
                out << "kept       " << items[i].input << " -> " << items[i].output
                    << " (there already)\n";
                break;
        }
    }
    const auto total = static_cast<int>(items.size());
    const int cancelled = total - written - failed - kept;
    out << "batch: " << written << " of " << total << " written, ";
    if (kept > 0)
        out << kept << " kept, ";
    out << failed << " failed";
    if (cancelled > 0)
        out << ", " << cancelled << " cancelled";
    out << '\n';
    if (cancelled > 0) {
        err << program
            << ": the batch was interrupted; the slides listed as cancelled have no "
               "output\n";
        return 130;
    }
    if (failed > 0) {
        err << program << ": " << failed << " of " << total
            << " slides failed (see the FAILED lines)\n";
        return 1;
    }
    return 0;
}

void prepareBatch(const ProcessArguments& parsed) {
    if (parsed.operation != "copy")
        findOperation(parsed.operation, parsed.parameters);  // a bad --op fails the whole run
    std::error_code ec;
    fs::create_directories(parsed.output, ec);
    if (!fs::is_directory(parsed.output))
        throw IoError("cannot write into '" + parsed.output +
                      "': " + (ec ? ec.message() : "it is not a folder"));
}

void discountKeptOutputs(std::vector<BatchItem>& items) {
    for (BatchItem& item : items) {
        std::error_code ec;
        if (fs::exists(item.output, ec))
            item.bytes = 0;
    }
}

int runBatchProcess(const ProcessArguments& parsed, std::ostream& out, std::ostream& err) {
    const std::vector<BatchItem> items =
        readBatchList(*parsed.batch, parsed.output, parsed.outputSuffix);
    prepareBatch(parsed);
    const SignalStop signals;
    std::vector<BatchOutcome> outcomes;
    for (const BatchItem& item : items) {
        outcomes.push_back(processBatchItem(parsed, item, signals.token()));
        if (!parsed.quiet && outcomes.back().status != BatchOutcome::Status::Cancelled)
            err << "done " << outcomes.size() << " of " << items.size() << ": " << item.input
                << '\n';
    }
    return printBatchSummary(items, outcomes, std::vector<int>(items.size(), 0), "tileflow", out,
                             err);
}

std::string encodeOutcomes(const std::vector<BatchOutcome>& outcomes) {
    std::string text;
    for (const BatchOutcome& o : outcomes) {
        appendField(text, std::to_string(static_cast<int>(o.status)));
        std::ostringstream seconds;
        seconds << std::setprecision(17) << o.seconds;
        appendField(text, seconds.str());
        appendField(text, o.message);
    }
    return text;
}

std::vector<BatchOutcome> decodeOutcomes(const std::string& text) {
    const std::vector<std::string> fields = splitFields(text);
    std::vector<BatchOutcome> outcomes;
    for (std::size_t f = 0; f + 2 < fields.size(); f += 3) {
        outcomes.push_back({static_cast<BatchOutcome::Status>(std::stoi(fields[f])), fields[f + 2],
                            std::stod(fields[f + 1])});
    }
    return outcomes;
}

std::string encodeItems(const std::vector<BatchItem>& items) {
    std::string text;
    for (const BatchItem& item : items) {
        appendField(text, item.input);
        appendField(text, item.output);
        appendField(text, std::to_string(item.bytes));
    }
    return text;
}

std::vector<BatchItem> decodeItems(const std::string& text) {
    const std::vector<std::string> fields = splitFields(text);
    std::vector<BatchItem> items;
    for (std::size_t f = 0; f + 2 < fields.size(); f += 3)
        items.push_back({fields[f], fields[f + 1], std::stoull(fields[f + 2])});
    return items;
}

}  // namespace tileflow::cli
