// fnn eval: a saved model's loss (and accuracy) on a data set.
#include <fnn/registry.hpp>
#include <iostream>

#include "command_line.hpp"
#include "commands.hpp"
#include "component_options.hpp"
#include "data_source.hpp"
#include "experiment.hpp"
#include "saved_model.hpp"

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

  SavedModel model = load(model_file);
  const Registry registry = load_plugins(values);
  const Network network = restore_network(registry, model, model_file);
  Dataset test =
      load_dataset(source, model.layout, false, ColumnNames::use, network.input_size());
  check_fits(network, test, source.file.string());
  model.scaler.apply(test.inputs);
  const auto loss = from_model_file(
      model_file, [&] { return registry.make_loss(model.loss.name, model.loss.options); });
  // Computed before anything is printed, so that an error never follows "test: ".
  const Evaluation result = evaluate(network, *loss, test, model.layout.classes > 0);
  std::cout << "test: " << describe(result) << "\n";
  return 0;
}

}  // namespace fnn::cli
