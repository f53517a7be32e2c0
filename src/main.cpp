// The xbarmc executable: parse the command line, run, map exceptions to exit codes.
#include "xbarmc/cli/app.h"

int main(int argc, char** argv) { return xbarmc::cli::run_main(argc, argv); }
