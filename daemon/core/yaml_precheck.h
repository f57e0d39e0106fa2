// YamlPrecheck: a text-level guard run before YAML text reaches yaml-cpp. yaml-cpp 0.7
// (Debian 12) allocates without bound on some malformed input — a document that is just
// "," is enough (found by tests' fuzzing, fuzz/corpus/policy_loader/yaml-cpp-*) — and
// anchors/aliases can make a small file expand exponentially when walked. Policy and
// config files need neither, so this rejects, with file:line:column:
//  - a ',' where a block-context node starts (it only separates items inside [ ] or { }),
//  - anything but ':' or a comment on the same line after a quoted scalar or a [ ] / { }
//    that is not inside another one ("'x',", "[a],", "'x'\"y\",", "[][]," make yaml-cpp
//    loop; found by fuzzing in CI),
//  - anchors (&name), aliases (*name) and tags (!name) where a node starts ("!site,"
//    also makes yaml-cpp loop),
//  - NUL and other C0 control bytes (also inside quotes), and files over `max_bytes`.
// Quoted scalars and comments are skipped. Pure function; no YAML library needed.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace gatehouse {

// OK, or kInvalidArgument "FILE:LINE:COL: ..." for the first problem found.
Status YamlPrecheck(std::string_view text, const std::string& file, std::size_t max_bytes = 4 << 20);

}  // namespace gatehouse
