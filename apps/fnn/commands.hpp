#pragma once
#include <string>
#include <vector>

namespace fnn::cli {

/// Each command takes the words after its name and returns the process exit code. Usage errors
/// are thrown as UsageError (exit 2), failures as fnn::Error (exit 1); main maps them.
int train_command(const std::vector<std::string>& args);
int eval_command(const std::vector<std::string>& args);
int predict_command(const std::vector<std::string>& args);
int inspect_command(const std::vector<std::string>& args);
int plugins_command(const std::vector<std::string>& args);
int gradcheck_command(const std::vector<std::string>& args);
int export_command(const std::vector<std::string>& args);
int plot_command(const std::vector<std::string>& args);
int sweep_command(const std::vector<std::string>& args);
int convert_command(const std::vector<std::string>& args);

}  // namespace fnn::cli
