#include <clocale>

#include "support/test_support.hpp"

using fnn::test::error_message;

TEST_CASE("options parse numbers, counts and flags", "[options]") {
  const fnn::Options options{{"rate", "2.5e-1"}, {"units", "16"}, {"bias", "off"}};
  CHECK(options.number("rate") == 0.25);
  CHECK(options.count("units") == 16);
  CHECK_FALSE(options.flag("bias", true));
  CHECK(options.flag("missing", true));
  CHECK(options.number("missing", 3.0) == 3.0);
  CHECK(options.unread().empty());
}

TEST_CASE("options report keys that nothing read", "[options]") {
  const fnn::Options options{{"units", "4"}, {"unitz", "5"}};
  CHECK(options.count("units") == 4);
  CHECK(options.unread() == std::vector<std::string>{"unitz"});
}

TEST_CASE("options remember every key asked for, given or not", "[options]") {
  const fnn::Options options{{"units", "4"}, {"unitz", "5"}};
  CHECK(options.count("units") == 4);
  CHECK(options.flag("bias", true));
  CHECK(options.number("rate", 0.5) == 0.5);
  CHECK(options.asked() == std::vector<std::string>{"bias", "rate", "units"});
  CHECK(options.unread() == std::vector<std::string>{"unitz"});
}

TEST_CASE("bad option values name the key, the value and what was expected", "[options]") {
  const fnn::Options options{{"units", "-3"}, {"rate", "0,5"}, {"bias", "maybe"}, {"n", "inf"}};
  CHECK(error_message([&] { (void)options.count("units"); }) ==
        "option 'units' is '-3', expected a whole number such as 4");
  CHECK(error_message([&] { (void)options.number("rate"); }) ==
        "option 'rate' is '0,5', expected a finite number such as 0.5 or 1e-3");
  CHECK(error_message([&] { (void)options.flag("bias", true); }) ==
        "option 'bias' is 'maybe', expected true or false");
  CHECK(error_message([&] { (void)options.number("n"); }) ==
        "option 'n' is 'inf', expected a finite number such as 0.5 or 1e-3");
  CHECK(error_message([&] { (void)options.text("absent"); }) == "option 'absent' is required");
}

TEST_CASE("numbers are read the same under any locale", "[options]") {
  // A decimal-comma locale, where it exists on this machine; from_chars ignores it anyway.
  const char* previous = std::setlocale(LC_NUMERIC, nullptr);
  const std::string saved = previous ? previous : "C";
  std::setlocale(LC_NUMERIC, "de_DE.UTF-8");
  const fnn::Options options{{"rate", "0.5"}};
  CHECK(options.number("rate") == 0.5);
  std::setlocale(LC_NUMERIC, saved.c_str());
}
