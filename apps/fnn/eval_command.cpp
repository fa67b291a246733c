// fnn eval: a saved model's loss (and accuracy) on a data set.
#include <fnn/data_source.hpp>
#include <fnn/evaluation.hpp>
#include <fnn/model.hpp>
#include <fnn/registry.hpp>
#include <iostream>

#include "command_line.hpp"
#include "commands.hpp"
#include "component_options.hpp"

namespace fnn::cli {

int eval_command(const std::vector<std::string>& args) {
  po::options_description own("fnn eval --model FILE --test FILE [options]\n\n"
                              "Evaluates a saved model on a data set, read as it was trained");
  own.add_options()
      ("model", po::value<std::string>()->value_name("FILE"), "model written by fnn train --save")
      ("test", po::value<std::string>()->value_name("FILE"),
       "data: CSV (with a header, the model's columns are found by name, in any order; "
       "without, by position), or an IDX image file with --test-labels")
      ("test-labels", po::value<std::string>()->value_name("FILE"), "IDX label file of --test");
  const auto parsed = parse_command("eval", own, args);
  if (!parsed) return 0;
  const po::variables_map& values = *parsed;
  const std::string model_file = required<std::string>(values, "eval", "model");
  const auto thread_limit = limit_threads(thread_count(values));
  DataSource source{required<std::string>(values, "eval", "test"), std::nullopt, "test-labels"};
  if (values.count("test-labels")) source.labels = values["test-labels"].as<std::string>();

  const Registry registry = load_plugins(values);
  const LoadedModel model = load_model(model_file, registry);
  const auto loss = from_model_file(
      model_file, [&] { return registry.make_loss(model.info.loss.name, model.info.loss.options); });
  // Read, scaled and evaluated a block at a time, so that memory holds one block whatever the
  // file's size; EvaluationSum gives what evaluating every row at once gives, bit for bit.
  EvaluationSum sum(model.network, *loss, model.info.layout.classes > 0);
  read_dataset_blocks(source, model.info.layout, model.network.input_size(),
                      evaluation_block_rows, [&](Dataset& block, std::size_t) {
                        check_fits(model.network, block, source.file.string());
                        model.info.scaler.apply(block.inputs);
                        sum.add(block.inputs, block.targets);
                      });
  // Computed before anything is printed, so that an error never follows "test: ".
  const Evaluation result = sum.result();
  std::cout << "test: " << describe(result) << "\n";
  return 0;
}

}  // namespace fnn::cli
