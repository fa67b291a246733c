#include "resume_command.hpp"

#include <algorithm>
#include <string_view>
#include <vector>

#include "command_line.hpp"

namespace fnn::cli {

namespace {

// What a resumed run needs again; everything else comes from its model file.
constexpr std::string_view carried_options[] = {
    "train", "train-labels", "test", "test-labels", "validation-split", "validation",
    "validation-labels", "folds", "fold", "epochs", "save",
    "checkpoint-every", "checkpoint", "metrics", "progress", "threads", "plugin-dir",
    "exchange-timeout"};

}  // namespace

std::string value_text(const boost::any& value) {
  if (const auto* text = boost::any_cast<std::string>(&value)) return *text;
  if (const auto* whole = boost::any_cast<long long>(&value)) return std::to_string(*whole);
  if (const auto* real = boost::any_cast<double>(&value)) return to_text(*real);
  if (const auto* flag = boost::any_cast<bool>(&value)) return *flag ? "true" : "false";
  return {};
}

std::string shell_quoted(const std::string& word) {
  const bool safe = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("_@%+=:,./-").find(c) != std::string_view::npos;
  });
  if (safe) return word;
  std::string quoted = "'";
  for (const char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string resume_command(const std::string& program,
                           const boost::program_options::variables_map& values,
                           const std::string& checkpoint) {
  std::string command = shell_quoted(program) + " train --resume " + shell_quoted(checkpoint);
  for (const std::string_view option : carried_options) {
    const std::string name(option);
    if (!values.count(name) || values[name].defaulted()) continue;
    const boost::any& value = values[name].value();
    std::vector<std::string> words;
    if (const auto* many = boost::any_cast<std::vector<std::string>>(&value)) {
      words = *many;
    } else {
      words.push_back(value_text(value));
    }
    for (const std::string& word : words) command += " --" + name + " " + shell_quoted(word);
  }
  return command;
}

}  // namespace fnn::cli
