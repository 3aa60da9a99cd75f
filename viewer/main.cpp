// tileflow: the TileFlow desktop viewer and command line.
//
// `tileflow` alone opens the viewer on the demo slide (when a display is available; without
// one it prints the usage), `tileflow FILE` opens the viewer on FILE, and `tileflow COMMAND
// ...` runs a batch subcommand headless, without a QApplication.
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "cli/arguments.hpp"
#include "cli/commands.hpp"
#include "gui/run_viewer.hpp"
#include "tileflow/error.hpp"
#include "tileflow/synthetic.hpp"

namespace {

constexpr const char* kUsage =
    "usage: tileflow [FILE]\n"
    "       tileflow <command> [arguments]\n"
    "\n"
    "Without a command, the desktop viewer: on FILE (a slide, .tif/.tiff, .zarr, .npy or\n"
    "synthetic:WxHxC[:dtype][:seed]), or on the demo slide synthetic:65536x65536x8:u16.\n"
    "\n"
    "commands:\n"
    "  process IN OUT [--op ID] [--param key=value]... [--level N] [--region x,y,w,h]\n"
    "          [--channels i,j,...] [--tile N|WxH] [--overlap N] [--mode crop|blend]\n"
    "          [--chunk N|WxH] [--threads N] [--compression NAME] [--out-tile N]\n"
    "          [--out-dtype u8|u16|f32 [--out-range low,high]] [--shard i/n] [--quiet]\n"
    "      Process IN (a slide, .tif/.tiff, .zarr, .npy, or\n"
    "      synthetic:WxHxC[:u8|u16|f32][:seed]) into OUT (.tif/.tiff, .zarr or .npy);\n"
    "      without --op, copy (convert). The region is in the pixels of the level.\n"
    "      ID is looked up in the operation plugins (see plugins), then among the\n"
    "      operations compiled into this binary. With --shard i/n, only the i-th of n\n"
    "      shares of the chunks of OUT (.zarr), which n processes fill together.\n"
    "  process --batch LIST OUTDIR [--out-suffix .zarr|.tif|.npy|...] [--skip-existing]\n"
    "          [the options above]\n"
    "      Process every input LIST names (one per line; '#' comments; relative to LIST's\n"
    "      folder) into OUTDIR/<name><suffix>; one line per input and a count at the end.\n"
    "      An input that fails fails only itself (exit status 1). --skip-existing keeps\n"
    "      the outputs already there (they are complete): rerun a batch to finish it.\n"
    "  finalize STORE.zarr\n"
    "      Once every shard has been written: complete the pyramid, mark the store finished.\n"
    "  bench [--size N --channels C --dtype f32 --op ID [--json] [--stream] [engine options]]\n"
    "      Throughput table, or one case.\n"
    "  bench --io [--size N --channels C --dtype T] [--compression none|deflate|zstd]\n"
    "        [--dir FOLDER]\n"
    "      Out of core: tiled TIFF on disk through the operation into a tiled TIFF.\n"
    "  info FILE [--json]\n"
    "      Format, levels, dtype, channels, pixel size, associated images, properties.\n"
    "  ops\n"
    "      List the operations of every loaded operation plugin, and the compiled-in ones\n"
    "      no plugin provides, with their parameters.\n"
    "  plugins [--json]\n"
    "      List the plugins found (loaded or refused, with the reason) in plugins/ beside\n"
    "      this binary, ../lib/tileflow/plugins, $TILEFLOW_PLUGIN_PATH (colon-separated)\n"
    "      and the user's data folder.\n"
    "\n"
    "options of every command:\n"
    "  --max-memory SIZE  refuse files and runs that need more than SIZE in one allocation\n"
    "      (a tile, a chunk, a whole image): 1073741824, 512M, 4G, 1T (binary units);\n"
    "      default half the physical memory, at least 1G.\n"
    "\n"
    "exit status: 0 success, 1 failure, 2 bad arguments, 130 interrupted (SIGINT/SIGTERM;\n"
    "the output is not written).\n";

bool isCommand(const std::string& word) {
    for (const char* command : {"process", "finalize", "bench", "info", "ops", "plugins", "help"}) {
        if (word == command)
            return true;
    }
    return false;
}

// A lone argument that is no command or option and names an image opens the viewer.
bool namesImage(const std::string& word) {
    std::error_code error;
    return !word.starts_with('-') && !isCommand(word) &&
           (tileflow::SyntheticSpec::matches(word) || std::filesystem::exists(word, error));
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (!args.empty() && (args[0] == "-h" || args[0] == "--help" || args[0] == "help")) {
        std::cout << kUsage;
        return 0;
    }
    if (args.empty() && tileflow::gui::displayAvailable())
        return tileflow::gui::runViewer(argc, argv, {});
    if (args.empty()) {
        std::cerr << kUsage;
        return 2;
    }
    if (args.size() == 1 && namesImage(args[0]))
        return tileflow::gui::runViewer(argc, argv, args[0]);
    const std::string& command = args[0];
    std::vector<std::string> rest(args.begin() + 1, args.end());
    try {
        tileflow::cli::applyGlobalOptions(tileflow::cli::takeGlobalOptions(rest));
        if (command == "process")
            return tileflow::cli::runProcess(rest, std::cout, std::cerr);
        if (command == "finalize")
            return tileflow::cli::runFinalize(rest, std::cout);
        if (command == "bench")
            return tileflow::cli::runBench(rest, std::cout, std::cerr);
        if (command == "ops")
            return tileflow::cli::runOps(std::cout);
        if (command == "info")
            return tileflow::cli::runInfo(rest, std::cout);
        if (command == "plugins")
            return tileflow::cli::runPlugins(rest, std::cout);
        std::cerr << "tileflow: unknown command '" << command << "' (see tileflow --help)\n";
        return 2;
    } catch (const tileflow::Cancelled& e) {
        std::cerr << "tileflow: " << e.what() << '\n';
        return 130;
    } catch (const tileflow::InvalidArgument& e) {
        std::cerr << "tileflow: " << e.what() << '\n';
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "tileflow: " << e.what() << '\n';
        return 1;
    }
}
