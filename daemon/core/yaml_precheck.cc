#include "core/yaml_precheck.h"

namespace gatehouse {
namespace {

// A byte for an error message: 'x' when printable, else its hex value.
std::string Shown(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string("'") + c + "'";
  static constexpr char kHex[] = "0123456789abcdef";
  return std::string("byte 0x") + kHex[u >> 4] + kHex[u & 0xf];
}

}  // namespace

Status YamlPrecheck(std::string_view text, const std::string& file, std::size_t max_bytes) {
  if (text.size() > max_bytes) {
    return InvalidArgument(file + ": file is larger than " + std::to_string(max_bytes) + " bytes");
  }
  int line = 1, column = 0;
  int flow_depth = 0;
  bool node_start = true;  // the next non-space character would start a node
  // A quoted scalar or a [ ] / { } collection just ended outside any flow collection: only
  // ':' or a comment may follow on that line. yaml-cpp starts a new token at whatever comes
  // next, and "'x',", "[a],", "'x'\"y\"," and "[][]," make it loop.
  bool after_block_value = false;
  auto fail = [&](const std::string& what) {
    return InvalidArgument(file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + what);
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    ++column;
    if (c == '\n') {
      ++line;
      column = 0;
      if (flow_depth == 0) node_start = true;
      after_block_value = false;
      continue;
    }
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\r') {
      return fail("control character 0x" + std::to_string(static_cast<unsigned char>(c)) +
                  " (policy and config files are text)");
    }
    if (c == ' ' || c == '\t' || c == '\r') continue;
    if (after_block_value) {
      const bool comment = c == '#' && (text[i - 1] == ' ' || text[i - 1] == '\t');
      if (c == ',') return fail("',' after a complete value: commas only separate items inside [ ] or { }");
      if (c != ':' && !comment) {
        return fail(Shown(c) + " after a complete value: only ':' or a comment may follow a quoted value or a " +
                    "closed [ ] / { } on its line");
      }
    }
    after_block_value = false;
    if (c == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == '\n')) {
      while (i + 1 < text.size() && text[i + 1] != '\n') ++i;  // comment
      continue;
    }
    if (node_start && (c == '\'' || c == '"')) {  // quoted scalar: skip to its end
      const char quote = c;
      for (++i; i < text.size(); ++i) {
        ++column;
        if (text[i] == '\n') {
          ++line;
          column = 0;
        } else if (static_cast<unsigned char>(text[i]) < 0x20 && text[i] != '\t' && text[i] != '\r') {
          return fail("control character 0x" + std::to_string(static_cast<unsigned char>(text[i])) +
                      " inside a quoted value (write it as an escape such as \\t, or leave it out)");
        } else if (quote == '"' && text[i] == '\\') {
          ++i;
          ++column;
        } else if (text[i] == quote) {
          if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
            ++i;
            ++column;
            continue;
          }
          break;
        }
      }
      node_start = false;
      after_block_value = flow_depth == 0;
      continue;
    }
    if (node_start) {
      if (c == ',' && flow_depth == 0) return fail("',' here: commas only separate items inside [ ] or { }");
      if (c == '&' || c == '*')
        return fail(std::string("'") + c +
                    "' starts an anchor or alias, which these files do not support (quote the value if you meant \"" +
                    c + "\")");
      if (c == '!')
        return fail("'!' starts a tag, which these files do not support (quote the value if you meant \"!\")");
    }
    switch (c) {
      case '[':
      case '{':
        // Outside [ ] / { }, a bracket inside a plain scalar ("x[1") is just a character;
        // only one where a node starts opens a collection.
        if (node_start || flow_depth > 0) {
          ++flow_depth;
          node_start = true;
        } else {
          node_start = false;
        }
        break;
      case ']':
      case '}':
        node_start = false;
        if (flow_depth > 0) {
          --flow_depth;
          after_block_value = flow_depth == 0;
        }
        break;
      case ',':
        node_start = flow_depth > 0;
        break;
      case '-':
      case '?':
      case ':':
        // "- x", "? x", "key: x" start a node after the indicator.
        node_start = i + 1 >= text.size() || text[i + 1] == ' ' || text[i + 1] == '\n' || text[i + 1] == '\t' ||
                     (flow_depth > 0 && c == ':');
        break;
      default:
        node_start = false;
        break;
    }
  }
  return Status::Ok();
}

}  // namespace gatehouse
