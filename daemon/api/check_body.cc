#include "api/check_body.h"

#include <simdjson.h>

#include <string>

namespace gatehouse::api {
namespace {

using simdjson::SUCCESS;
using simdjson::dom::element;
using simdjson::dom::object;

// Parses `body` (copied into a per-thread buffer with simdjson's padding after it) into
// this thread's parser; the whole document is validated, trailing bytes included.
bool Parse(std::string_view body, element* root) {
  thread_local simdjson::dom::parser parser;
  thread_local std::string buffer;
  buffer.assign(body);
  buffer.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  return parser.parse(buffer.data(), body.size(), /*realloc_if_needed=*/false).get(*root) == SUCCESS;
}

// A non-empty string, or false.
bool NonEmpty(element value, std::string_view* out) { return value.get_string().get(*out) == SUCCESS && !out->empty(); }

// {"id": "...", "subjectType": "..." | null}, nothing else.
bool ReadSubject(element value, CheckView* out) {
  object fields;
  if (value.get_object().get(fields) != SUCCESS) return false;
  bool id = false, type = false;
  for (auto [key, v] : fields) {
    if (key == "id" && !id) {
      id = true;
      if (!NonEmpty(v, &out->subject_id)) return false;
    } else if (key == "subjectType" && !type) {
      type = true;
      if (v.is_null()) continue;
      std::string_view name;
      if (v.get_string().get(name) != SUCCESS) return false;
      auto parsed = ParseSubjectType(name);
      if (!parsed) return false;
      out->subject_type = *parsed;
    } else {
      return false;
    }
  }
  return id;
}

// {"id": "..."}, nothing else.
bool ReadAsset(element value, std::string_view* out) {
  object fields;
  if (value.get_object().get(fields) != SUCCESS) return false;
  bool id = false;
  for (auto [key, v] : fields) {
    if (key != "id" || id) return false;
    id = true;
    if (!NonEmpty(v, out)) return false;
  }
  return id;
}

bool ReadCheckObject(element value, CheckView* out) {
  *out = CheckView{};
  object fields;
  if (value.get_object().get(fields) != SUCCESS) return false;
  bool subject = false, permission = false, asset = false, explain = false;
  for (auto [key, v] : fields) {
    if (key == "subject" && !subject) {
      subject = true;
      if (!ReadSubject(v, out)) return false;
    } else if (key == "permission" && !permission) {
      permission = true;
      if (!NonEmpty(v, &out->permission)) return false;
    } else if (key == "asset" && !asset) {
      asset = true;
      if (!ReadAsset(v, &out->asset_id)) return false;
    } else if (key == "explain" && !explain) {
      explain = true;
      if (!v.is_null() && v.get_bool().get(out->explain) != SUCCESS) return false;
    } else {
      return false;
    }
  }
  return subject && permission && asset;
}

}  // namespace

bool FastReadCheck(std::string_view body, CheckView* out) {
  element root;
  return Parse(body, &root) && ReadCheckObject(root, out);
}

bool FastReadBatch(std::string_view body, std::size_t limit, std::vector<CheckView>* out) {
  out->clear();
  element root;
  object fields;
  if (!Parse(body, &root) || root.get_object().get(fields) != SUCCESS) return false;
  bool checks = false;
  for (auto [key, v] : fields) {
    if (key != "checks" || checks) return false;
    checks = true;
    simdjson::dom::array array;
    if (v.get_array().get(array) != SUCCESS || array.size() > limit) return false;  // the general path names the limit
    out->reserve(array.size());
    for (element check : array) {
      CheckView view;
      if (!ReadCheckObject(check, &view)) return false;
      out->push_back(view);
    }
  }
  return checks;
}

}  // namespace gatehouse::api
