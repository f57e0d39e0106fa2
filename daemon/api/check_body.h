// The bodies of POST /v1/check and /v1/check/batch, read on the hot path with simdjson
// (its DOM parser: a flat tape instead of a tree of nodes, no copies of the strings).
//
// Why DOM and not On-Demand: Debian's simdjson 3.0.1 compiles On-Demand for the build's
// baseline CPU (its portable "fallback" kernel: no runtime dispatch) and has no way to
// check for bytes after the document; its DOM parser picks the fastest kernel at run time
// (AVX2 here) and validates the whole document, trailing bytes included.
//
// Contract: the fast readers accept only what the general path (nlohmann parse, then the
// field checks of routes_decisions.cc) would accept with the same meaning — a JSON object
// with exactly the known fields, of the expected types, non-empty ids, a known
// subjectType, and nothing after it. Anything else (malformed JSON, an unknown or
// duplicate field, a wrong type, too many checks) makes them return false, and the caller
// runs the general path, which produces the error with its field path. So answers and
// error messages are those of the general path; only well-formed bodies get faster.
//
// The views in a CheckView point into this thread's parser buffer: valid until the next
// Fast* call on the same thread.
//
// Thread safety: each thread has its own parser.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "core/model.h"

namespace gatehouse::api {

struct CheckView {
  SubjectType subject_type = SubjectType::kUser;
  std::string_view subject_id, permission, asset_id;
  bool explain = false;
};

// A /v1/check body: {"subject": {"id", "subjectType"?}, "permission", "asset": {"id"}, "explain"?}.
bool FastReadCheck(std::string_view body, CheckView* out);

// A /v1/check/batch body: {"checks": [check, ...]} with at most `limit` checks.
bool FastReadBatch(std::string_view body, std::size_t limit, std::vector<CheckView>* out);

}  // namespace gatehouse::api
