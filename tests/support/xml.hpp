#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace fnn::test {

/// An XML element as the small parser below reads it: enough for gnuplot's SVG.
struct XmlElement {
  std::string name;
  std::map<std::string, std::string> attributes;
  std::vector<std::unique_ptr<XmlElement>> children;
  std::string text;  ///< the character data directly inside it, entities decoded

  /// Every element below this one (depth first) named `wanted`.
  std::vector<const XmlElement*> find_all(const std::string& wanted) const;
  /// The attribute's value, or "".
  std::string attribute(const std::string& key) const;
};

/// Parses a whole document: the XML declaration, a DOCTYPE and comments are skipped. Throws
/// std::runtime_error with the byte offset for text that is not well-formed (unbalanced or
/// mismatched tags, a bad attribute, anything after the root element).
std::unique_ptr<XmlElement> parse_xml(const std::string& text);

}  // namespace fnn::test
