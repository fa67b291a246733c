// libFuzzer target: the CLI's --config INI parsing (apps/fnn/command_line.cpp, compiled into
// the target) with options of every type `fnn train` declares, as `fnn train --config FILE`
// reads them: Boost.Program_options' parse_config_file, then fnn's line lookup for messages,
// then notify. The input is written to a scratch file (the parser takes a path). Expected
// outcomes: values, or fnn::cli::UsageError (an fnn::Error).
#include "command_line.hpp"
#include "fuzz_support.hpp"

namespace po = boost::program_options;

namespace {

po::options_description train_like_options() {
  po::options_description options("fuzz");
  options.add_options()
      ("train", po::value<std::string>(), "")
      ("target", po::value<std::string>()->default_value(""), "")
      ("validation-split", po::value<double>()->default_value(0.0), "")
      ("hidden", po::value<std::string>()->default_value("16"), "")
      ("batch-size", po::value<long long>()->default_value(32), "")
      ("epochs", po::value<long long>()->default_value(10), "")
      ("learning-rate", po::value<double>(), "")
      ("quiet", po::bool_switch(), "");
  options.add(fnn::cli::common_options());
  return options;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const po::options_description options = train_like_options();
  const std::filesystem::path& file = fnn::fuzz::scratch_file(".ini");
  fnn::fuzz::write_file(file, fnn::fuzz::as_text(data, size));
  return fnn::fuzz::expect_parse_or_error([&] {
    const po::variables_map values =
        fnn::cli::parse("train", options, {"--config", file.string()});
    (void)fnn::cli::thread_count(values);
    if (values.count("epochs")) (void)fnn::cli::at_least(values, "epochs", 1);
    (void)fnn::cli::parse_widths("hidden", values["hidden"].as<std::string>());
  });
}
