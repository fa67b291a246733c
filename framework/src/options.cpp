#include "fnn/options.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "fnn/error.hpp"

namespace fnn {

namespace {

[[noreturn]] void bad_value(const std::string& key, const std::string& value,
                            const char* expected) {
  throw SpecError("option '" + key + "' is '" + value + "', expected " + expected);
}

template <class Number>
bool parse_whole(const std::string& text, Number& out) {
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, out);
  return error == std::errc{} && stop == end;
}

}  // namespace

Options::Options(std::initializer_list<std::pair<const std::string, std::string>> values)
    : values_(values) {}

Options& Options::set(const std::string& key, std::string value) {
  values_[key] = std::move(value);
  return *this;
}

bool Options::has(const std::string& key) const { return values_.contains(key); }

const std::string* Options::find(const std::string& key) const {
  read_.insert(key);
  const auto found = values_.find(key);
  return found == values_.end() ? nullptr : &found->second;
}

std::string Options::text(const std::string& key) const {
  if (const std::string* value = find(key)) return *value;
  throw SpecError("option '" + key + "' is required");
}

std::string Options::text(const std::string& key, const std::string& fallback) const {
  const std::string* value = find(key);
  return value ? *value : fallback;
}

double Options::number(const std::string& key) const {
  const std::string value = text(key);
  double result = 0.0;
  if (!parse_whole(value, result) || !std::isfinite(result)) {
    bad_value(key, value, "a finite number such as 0.5 or 1e-3");
  }
  return result;
}

double Options::number(const std::string& key, double fallback) const {
  return find(key) ? number(key) : fallback;
}

std::size_t Options::count(const std::string& key) const {
  const std::string value = text(key);
  std::size_t result = 0;
  if (!parse_whole(value, result)) bad_value(key, value, "a whole number such as 4");
  return result;
}

std::size_t Options::count(const std::string& key, std::size_t fallback) const {
  return find(key) ? count(key) : fallback;
}

bool Options::flag(const std::string& key, bool fallback) const {
  const std::string* value = find(key);
  if (!value) return fallback;
  std::string lower = *value;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "true" || lower == "yes" || lower == "on" || lower == "1") return true;
  if (lower == "false" || lower == "no" || lower == "off" || lower == "0") return false;
  bad_value(key, *value, "true or false");
}

std::vector<std::string> Options::unread() const {
  std::vector<std::string> keys;
  for (const auto& [key, value] : values_) {
    if (!read_.contains(key)) keys.push_back(key);
  }
  return keys;
}

std::vector<std::string> Options::asked() const { return {read_.begin(), read_.end()}; }

}  // namespace fnn
