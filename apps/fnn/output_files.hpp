#pragma once
#include <string>
#include <vector>

#include "command_line.hpp"

namespace fnn::cli {

/// A file named by an option: "--save" and its value.
struct NamedFile {
  std::string option;  ///< as shown, e.g. "--save", or "--checkpoint (--save + .checkpoint)"
  std::string file;
};

/// The files of the options in `names` that were given, in that order.
std::vector<NamedFile> given_files(const po::variables_map& values,
                                   const std::vector<std::string>& names);

/// "-" for --output: standard output.
std::string output_path(const std::string& value);

/// Run before any data is read. Refuses (UsageError, naming both options and the file) an output
/// that is the same file as an input or another output (fnn::file_identity: after symbolic
/// links; devices and FIFOs, which are written in place, excepted), but for the model a run
/// continues: --resume's file may be its --save or --checkpoint, read whole before either is
/// replaced. Then proves each output writable (fnn::check_writable): DataError naming the
/// option otherwise; an empty name is a UsageError.
void check_output_files(const std::vector<NamedFile>& inputs,
                        const std::vector<NamedFile>& outputs);

}  // namespace fnn::cli
