// The one door through which YAML text enters the daemon (policy files, the config file).
//
// ParseYamlDocuments runs two parsers in turn:
//  1. libyaml (the reference C implementation, fuzzed upstream) reads the whole text as
//     events. The first syntax error stops it and is returned with its line:column. Its
//     events are also where the text's shape is checked: anchors, aliases and explicit
//     tags are refused (policy and config files need none, and aliases let a small file
//     expand without bound), and so is nesting deeper than YamlLimits::max_depth.
//  2. Only text libyaml accepted is given to yaml-cpp, which builds the node tree the
//     policy and config readers walk. yaml-cpp 0.7 loops without bound on some invalid
//     input (its error recovery on stray flow tokens); it never sees such input here.
// Every problem comes back as a YamlProblem with a 1-based line and column — callers
// never parse message strings. Nothing here throws: yaml-cpp's exceptions stay inside.
//
// Thread safety: pure functions.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gatehouse {

struct YamlLimits {
  std::size_t max_bytes = 4u << 20;  // a larger file is refused before parsing
  int max_depth = 64;                // nested sequences/mappings
};

// Where and what. line/column are 1-based; 0 when the problem concerns the whole text.
struct YamlProblem {
  int line = 0;
  int column = 0;
  std::string message;  // "found character that cannot start any token", ...
};

struct YamlDocuments {
  std::vector<YAML::Node> documents;   // one per document in the stream, in order
  std::optional<YamlProblem> problem;  // set iff the text was refused; documents empty
  bool ok() const { return !problem.has_value(); }
};

YamlDocuments ParseYamlDocuments(std::string_view text, const YamlLimits& limits = {});

// The 1-based line and column yaml-cpp recorded for a node; {0, 0} when it has none.
struct YamlPosition {
  int line = 0;
  int column = 0;
};
YamlPosition PositionOf(const YAML::Node& node);

}  // namespace gatehouse
