#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "fnn/export.hpp"

namespace fnn {

/// The candidate closest to `wanted` by edit distance (a swap of neighbours counts as one edit),
/// or "" when none is close enough to be a plausible typo: at most a third of the longer name
/// wrong, and at least one edit allowed.
FNN_API std::string nearest_name(std::string_view wanted, const std::vector<std::string>& candidates);

/// "a, b, c" — for lists in messages.
FNN_API std::string join(const std::vector<std::string>& items, std::string_view separator = ", ");

/// "'text'" — for a name or value in a message.
FNN_API std::string in_quotes(std::string_view text);

/// "a,b" → {"a", "b"}, trimming spaces and tabs; "" → {}; "a," → {"a", ""}.
FNN_API std::vector<std::string> split_list(const std::string& text);

/// The shortest text that reads back as the same double, with '.' whatever the locale.
FNN_API std::string to_text(double value);

}  // namespace fnn
