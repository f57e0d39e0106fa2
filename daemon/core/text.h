// Small text helpers shared by the layers. ASCII only on purpose: ids, emails and names are
// compared the way the API documents (case-insensitive for ASCII letters), not by locale.
#pragma once

#include <string>
#include <string_view>

namespace gatehouse {

// `s` with A–Z turned into a–z; every other byte unchanged.
inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace gatehouse
