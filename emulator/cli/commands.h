// The subcommands of the vmlab binary. Each returns the process exit status.
#pragma once

#include <string>
#include <vector>

namespace vmlab::cli {

int run_command(const std::vector<std::string>& args);
int script_command(const std::vector<std::string>& args);  // script_command.cpp
std::string script_help();
int plot_command(const std::vector<std::string>& args);  // plot_command.cpp
std::string plot_help();
int stats_doc_command(const std::vector<std::string>& args);  // stats_doc_command.cpp
std::string stats_doc_help();
int help(const std::string& command);

// Exit statuses of vmlab itself (besides the guest's own).
inline constexpr int kExitDeadlock = 123;  // every thread waits and nothing can wake one
inline constexpr int kExitInstructionLimit = 124;
inline constexpr int kExitVmlabError = 125;
inline constexpr int kExitCannotExecute = 126;
inline constexpr int kExitNotFound = 127;

}  // namespace vmlab::cli
