#pragma once
#include <cstddef>
#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "fnn/export.hpp"

namespace fnn {

/// Named settings of one component, e.g. `{{"units", "4"}, {"bias", "false"}}` for a dense layer.
/// Values are text (as in a config file or model file) and are parsed on request, independent
/// of the C locale. A component reads what it understands; keys it never read are reported as
/// unknown options when the component is created, so a typo never passes silently.
class FNN_API Options {
 public:
  Options() = default;
  Options(std::initializer_list<std::pair<const std::string, std::string>> values);

  Options& set(const std::string& key, std::string value);
  bool has(const std::string& key) const;

  /// Typed getters. The one-argument form requires the key; the two-argument form falls back to
  /// `fallback`. A value that does not parse throws SpecError naming the key, value and type.
  std::string text(const std::string& key) const;
  std::string text(const std::string& key, const std::string& fallback) const;
  double number(const std::string& key) const;
  double number(const std::string& key, double fallback) const;
  std::size_t count(const std::string& key) const;  ///< a non-negative integer
  std::size_t count(const std::string& key, std::size_t fallback) const;
  bool flag(const std::string& key, bool fallback) const;  ///< true/false, yes/no, on/off, 1/0

  /// Every key and its text, sorted by key: what a model file stores.
  const std::map<std::string, std::string>& entries() const noexcept { return values_; }
  /// Keys present but never read by any getter since construction.
  std::vector<std::string> unread() const;
  /// Keys any getter asked for since construction, present or not: the options a component
  /// takes, for suggesting the right one when a given key is unknown.
  std::vector<std::string> asked() const;

 private:
  const std::string* find(const std::string& key) const;

  std::map<std::string, std::string> values_;
  mutable std::set<std::string> read_;  // every key asked for, present or not
};

}  // namespace fnn
