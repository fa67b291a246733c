// fnn predict: a saved model's outputs for new inputs, written as CSV.
#include <unistd.h>

#include <fnn/atomic_file.hpp>
#include <fnn/csv.hpp>
#include <fnn/data_source.hpp>
#include <fnn/dataset.hpp>
#include <fnn/file_identity.hpp>
#include <fnn/model.hpp>
#include <fnn/network.hpp>
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
  const bool classes = model.info.layout.classes > 0;
  const std::size_t outputs = model.network.output_size();
  std::vector<std::string> header;
  if (classes) header.push_back("class");
  for (std::size_t c = 0; c < outputs; ++c) {
    header.push_back((classes ? "score_" : "output_") + std::to_string(c));
  }
  // A block of rows at a time: read, scaled, predicted and appended to the output, so that
  // memory holds one block whatever the file's size. The output is put in place only when every
  // row is written; an error on the way leaves the file as it was.
  AtomicFileWriter output(output_path(output_file));
  output.write(csv_header_line(header));
  Matrix table;
  std::string text;
  std::size_t rows = 0;
  read_input_blocks(input_file, model.info.layout, model.network.input_size(),
                    evaluation_block_rows, [&](Matrix& inputs, std::size_t) {
                      model.info.scaler.apply(inputs);
                      const Matrix predicted = model.network.predict(inputs);
                      table = Matrix(predicted.rows(), header.size());
                      for (std::size_t r = 0; r < predicted.rows(); ++r) {
                        std::size_t column = 0;
                        const auto row = predicted.view().row(r);
                        if (classes) table(r, column++) = static_cast<float>(arg_max(row));
                        for (const float value : row) table(r, column++) = value;
                      }
                      text.clear();
                      append_csv_rows(text, table);
                      output.write(text);
                      rows += predicted.rows();
                    });
  output.commit();
  // Said on standard error when the predictions themselves went to standard output.
  const bool to_standard_output = process_descriptor(output_path(output_file)) == STDOUT_FILENO;
  (to_standard_output ? std::cerr : std::cout)
      << "wrote " << rows << " predictions to " << output_file << "\n";
  return 0;
}

}  // namespace fnn::cli
