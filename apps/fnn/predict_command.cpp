// fnn predict: a saved model's outputs for new inputs, written as CSV.
#include <unistd.h>

#include <fnn/csv.hpp>
#include <fnn/data_source.hpp>
#include <fnn/dataset.hpp>
#include <fnn/file_identity.hpp>
#include <fnn/model.hpp>
#include <fnn/registry.hpp>
#include <iostream>

#include "command_line.hpp"
#include "commands.hpp"
#include "output_files.hpp"

namespace fnn::cli {

int predict_command(const std::vector<std::string>& args) {
  po::options_description own("fnn predict --model FILE --input FILE --output FILE [options]\n\n"
                              "Writes a saved model's predictions as CSV: one row per input row, "
                              "output_0.. columns;\nfor a class model, the predicted class first, "
                              "then one score per class");
  own.add_options()
      ("model", po::value<std::string>()->value_name("FILE"), "model written by fnn train --save")
      ("input", po::value<std::string>()->value_name("FILE"),
       "inputs: CSV with the model's input columns (with a header, found by name in any order, "
       "other columns ignored; without, by position, target columns ignored), or an IDX image "
       "file")
      ("output", po::value<std::string>()->value_name("FILE"),
       "CSV file to write, atomically; - for standard output");
  const auto parsed = parse_command("predict", own, args);
  if (!parsed) return 0;
  const po::variables_map& values = *parsed;
  const std::string model_file = required<std::string>(values, "predict", "model");
  const auto thread_limit = limit_threads(thread_count(values));
  const std::string input_file = required<std::string>(values, "predict", "input");
  const std::string output_file = required<std::string>(values, "predict", "output");
  check_output_files(given_files(values, {"model", "input", "config"}),
                     given_files(values, {"output"}));

  const Registry registry = load_plugins(values);
  const LoadedModel model = load_model(model_file, registry);
  Matrix inputs = load_inputs(input_file, model.info.layout, model.network.input_size());
  model.info.scaler.apply(inputs);
  const Matrix outputs = model.network.predict(inputs);

  const bool classes = model.info.layout.classes > 0;
  std::vector<std::string> header;
  if (classes) header.push_back("class");
  for (std::size_t c = 0; c < outputs.cols(); ++c) {
    header.push_back((classes ? "score_" : "output_") + std::to_string(c));
  }
  Matrix table(outputs.rows(), header.size());
  for (std::size_t r = 0; r < outputs.rows(); ++r) {
    std::size_t column = 0;
    if (classes) table(r, column++) = static_cast<float>(arg_max(outputs.view().row(r)));
    for (const float value : outputs.view().row(r)) table(r, column++) = value;
  }
  write_csv(output_path(output_file), table, header);
  // Said on standard error when the predictions themselves went to standard output.
  const bool to_standard_output = process_descriptor(output_path(output_file)) == STDOUT_FILENO;
  (to_standard_output ? std::cerr : std::cout)
      << "wrote " << outputs.rows() << " predictions to " << output_file << "\n";
  return 0;
}

}  // namespace fnn::cli
