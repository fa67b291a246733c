#include "support/xml.hpp"

#include <cctype>
#include <stdexcept>

namespace fnn::test {

namespace {

class Parser {
 public:
  explicit Parser(const std::string& text) : text_(text) {}

  std::unique_ptr<XmlElement> document() {
    skip_misc();
    auto root = element();
    skip_misc();
    if (at_ < text_.size()) fail("text after the root element");
    return root;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("XML at byte " + std::to_string(at_) + ": " + what);
  }
  bool starts(const char* prefix) const {
    return text_.compare(at_, std::char_traits<char>::length(prefix), prefix) == 0;
  }
  void skip_space() {
    while (at_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[at_]))) ++at_;
  }
  void skip_past(const char* end) {
    const std::size_t found = text_.find(end, at_);
    if (found == std::string::npos) fail(std::string("no closing ") + end);
    at_ = found + std::char_traits<char>::length(end);
  }
  // Declarations, DOCTYPE, comments and space between elements.
  void skip_misc() {
    while (true) {
      skip_space();
      if (starts("<?"))
        skip_past("?>");
      else if (starts("<!--"))
        skip_past("-->");
      else if (starts("<!"))
        skip_past(">");
      else
        return;
    }
  }
  std::string name() {
    const std::size_t start = at_;
    while (at_ < text_.size() &&
           (std::isalnum(static_cast<unsigned char>(text_[at_])) || text_[at_] == ':' ||
            text_[at_] == '-' || text_[at_] == '_' || text_[at_] == '.')) {
      ++at_;
    }
    if (at_ == start) fail("a name expected");
    return text_.substr(start, at_ - start);
  }
  static std::string decoded(const std::string& raw) {
    std::string result;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '&') {
        result += raw[i];
        continue;
      }
      const std::size_t end = raw.find(';', i);
      const std::string entity = raw.substr(i + 1, end - i - 1);
      if (entity == "amp")
        result += '&';
      else if (entity == "lt")
        result += '<';
      else if (entity == "gt")
        result += '>';
      else if (entity == "quot")
        result += '"';
      else if (entity == "apos")
        result += '\'';
      else
        result += "&" + entity + ";";
      i = end;
    }
    return result;
  }
  std::unique_ptr<XmlElement> element() {
    if (!starts("<")) fail("'<' expected");
    ++at_;
    auto node = std::make_unique<XmlElement>();
    node->name = name();
    while (true) {
      skip_space();
      if (starts("/>")) {
        at_ += 2;
        return node;
      }
      if (starts(">")) {
        ++at_;
        break;
      }
      const std::string key = name();
      skip_space();
      if (!starts("=")) fail("'=' expected after attribute " + key);
      ++at_;
      skip_space();
      if (at_ >= text_.size() || (text_[at_] != '"' && text_[at_] != '\'')) fail("quote expected");
      const char quote = text_[at_++];
      const std::size_t end = text_.find(quote, at_);
      if (end == std::string::npos) fail("unterminated attribute " + key);
      node->attributes[key] = decoded(text_.substr(at_, end - at_));
      at_ = end + 1;
    }
    while (true) {
      if (at_ >= text_.size()) fail("<" + node->name + "> is not closed");
      if (starts("<!--")) {
        skip_past("-->");
      } else if (starts("</")) {
        at_ += 2;
        const std::string closing = name();
        if (closing != node->name) fail("</" + closing + "> closes <" + node->name + ">");
        skip_space();
        if (!starts(">")) fail("'>' expected");
        ++at_;
        return node;
      } else if (starts("<")) {
        node->children.push_back(element());
      } else {
        const std::size_t end = text_.find('<', at_);
        node->text += decoded(text_.substr(at_, end - at_));
        at_ = end == std::string::npos ? text_.size() : end;
      }
    }
  }

  const std::string& text_;
  std::size_t at_ = 0;
};

void collect(const XmlElement& node, const std::string& wanted,
             std::vector<const XmlElement*>& found) {
  for (const auto& child : node.children) {
    if (child->name == wanted) found.push_back(child.get());
    collect(*child, wanted, found);
  }
}

}  // namespace

std::vector<const XmlElement*> XmlElement::find_all(const std::string& wanted) const {
  std::vector<const XmlElement*> found;
  collect(*this, wanted, found);
  return found;
}

std::string XmlElement::attribute(const std::string& key) const {
  const auto found = attributes.find(key);
  return found == attributes.end() ? "" : found->second;
}

std::unique_ptr<XmlElement> parse_xml(const std::string& text) {
  return Parser(text).document();
}

}  // namespace fnn::test
