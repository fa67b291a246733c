#include "output_files.hpp"

#include <fnn/atomic_file.hpp>
#include <fnn/error.hpp>
#include <fnn/file_identity.hpp>
#include <fnn/names.hpp>

#include "usage_error.hpp"

namespace fnn::cli {

namespace {

// A resumed model read whole, then replaced atomically by its own run: not a clash.
bool continues_its_model(const NamedFile& input, const NamedFile& output) {
  return input.option == "--resume" &&
         (output.option == "--save" || output.option.starts_with("--checkpoint"));
}

// Devices and FIFOs are written in place (fnn/atomic_file.hpp): nothing on them is replaced.
bool can_be_destroyed(const FileIdentity& identity) {
  return identity.regular || !identity.exists;
}

void refuse_same_file(const NamedFile& output, const NamedFile& other) {
  throw UsageError(output.option + " " + in_quotes(output.file) + " is the same file as " +
                   other.option + (other.file != output.file ? " " + in_quotes(other.file) : "") +
                   "; writing it would destroy it: give " + output.option + " another file name");
}

}  // namespace

std::vector<NamedFile> given_files(const po::variables_map& values,
                                   const std::vector<std::string>& names) {
  std::vector<NamedFile> files;
  for (const std::string& name : names) {
    if (values.count(name)) files.push_back({"--" + name, values[name].as<std::string>()});
  }
  return files;
}

std::string output_path(const std::string& value) {
  return value == "-" ? "/dev/stdout" : value;
}

void check_output_files(const std::vector<NamedFile>& inputs,
                        const std::vector<NamedFile>& outputs) {
  for (std::size_t o = 0; o < outputs.size(); ++o) {
    const NamedFile& output = outputs[o];
    if (output.file.empty()) {
      throw UsageError(output.option + ": the file name is empty; give a file to write");
    }
    const FileIdentity identity = file_identity(output_path(output.file));
    if (!can_be_destroyed(identity)) continue;
    for (const NamedFile& input : inputs) {
      if (!continues_its_model(input, output) && file_identity(input.file) == identity) {
        refuse_same_file(output, input);
      }
    }
    for (std::size_t other = 0; other < o; ++other) {
      if (file_identity(output_path(outputs[other].file)) == identity) {
        refuse_same_file(output, outputs[other]);
      }
    }
  }
  for (const NamedFile& output : outputs) {
    try {
      check_writable(output_path(output.file));
    } catch (const DataError& error) {
      throw DataError(output.option + ": " + error.what());
    }
  }
}

}  // namespace fnn::cli
