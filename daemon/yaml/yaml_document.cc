#include "yaml/yaml_document.h"

#include <yaml.h>

#include <cstdio>
#include <memory>

namespace gatehouse {
namespace {

// 1-based line and column of byte `offset` of `text`.
YamlPosition PositionAtOffset(std::string_view text, std::size_t offset) {
  YamlPosition p{1, 1};
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++p.column;  // count characters, not UTF-8 continuation bytes
    }
  }
  return p;
}

YamlProblem ProblemAt(const yaml_mark_t& mark, std::string message) {
  return YamlProblem{static_cast<int>(mark.line) + 1, static_cast<int>(mark.column) + 1, std::move(message)};
}

// libyaml's own error for the text, turned into a YamlProblem.
YamlProblem ParserProblem(const yaml_parser_t& parser, std::string_view text) {
  std::string what = parser.problem != nullptr ? parser.problem : "invalid YAML";
  if (parser.error == YAML_READER_ERROR) {
    // Reader errors (bad encoding, control characters) carry an offset and the byte.
    if (parser.problem_value != -1) {
      char byte[16];
      std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned>(parser.problem_value) & 0xFFu);
      what += std::string(" (byte ") + byte + ")";
    }
    const YamlPosition p = PositionAtOffset(text, parser.problem_offset);
    return YamlProblem{p.line, p.column, what};
  }
  if (parser.context != nullptr) {
    what += std::string(" ") + parser.context + " at line " + std::to_string(parser.context_mark.line + 1) +
            ", column " + std::to_string(parser.context_mark.column + 1);
  }
  return ProblemAt(parser.problem_mark, what);
}

// Owns a libyaml parser and its current event.
class EventReader {
 public:
  explicit EventReader(std::string_view text) {
    yaml_parser_initialize(&parser_);
    yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()), text.size());
    yaml_parser_set_encoding(&parser_, YAML_UTF8_ENCODING);
  }
  ~EventReader() {
    if (has_event_) yaml_event_delete(&event_);
    yaml_parser_delete(&parser_);
  }
  EventReader(const EventReader&) = delete;
  EventReader& operator=(const EventReader&) = delete;

  // The next event, or nullptr on a syntax error (then parser() tells).
  const yaml_event_t* Next() {
    if (has_event_) yaml_event_delete(&event_);
    has_event_ = yaml_parser_parse(&parser_, &event_) != 0;
    return has_event_ ? &event_ : nullptr;
  }
  const yaml_parser_t& parser() const { return parser_; }

 private:
  yaml_parser_t parser_{};
  yaml_event_t event_{};
  bool has_event_ = false;
};

// The libyaml pass: syntax, and the shape rules (no anchors, aliases, tags; bounded depth).
std::optional<YamlProblem> Gate(std::string_view text, const YamlLimits& limits) {
  EventReader reader(text);
  int depth = 0;
  for (;;) {
    const yaml_event_t* e = reader.Next();
    if (e == nullptr) return ParserProblem(reader.parser(), text);
    const char* anchor = nullptr;
    const char* tag = nullptr;
    switch (e->type) {
      case YAML_STREAM_END_EVENT:
        return std::nullopt;
      case YAML_DOCUMENT_START_EVENT:
        if (e->data.document_start.tag_directives.start != e->data.document_start.tag_directives.end) {
          return ProblemAt(e->start_mark, "%TAG directives are not allowed");
        }
        break;
      case YAML_ALIAS_EVENT:
        return ProblemAt(
            e->start_mark,
            "aliases (*" + std::string(reinterpret_cast<const char*>(e->data.alias.anchor)) + ") are not allowed");
      case YAML_SCALAR_EVENT:
        anchor = reinterpret_cast<const char*>(e->data.scalar.anchor);
        tag = reinterpret_cast<const char*>(e->data.scalar.tag);
        break;
      case YAML_SEQUENCE_START_EVENT:
        anchor = reinterpret_cast<const char*>(e->data.sequence_start.anchor);
        tag = reinterpret_cast<const char*>(e->data.sequence_start.tag);
        ++depth;
        break;
      case YAML_MAPPING_START_EVENT:
        anchor = reinterpret_cast<const char*>(e->data.mapping_start.anchor);
        tag = reinterpret_cast<const char*>(e->data.mapping_start.tag);
        ++depth;
        break;
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        --depth;
        break;
      default:
        break;
    }
    if (anchor != nullptr) return ProblemAt(e->start_mark, "anchors (&" + std::string(anchor) + ") are not allowed");
    if (tag != nullptr) return ProblemAt(e->start_mark, "tags (" + std::string(tag) + ") are not allowed");
    if (depth > limits.max_depth) {
      return ProblemAt(e->start_mark, "nested deeper than " + std::to_string(limits.max_depth) + " levels");
    }
  }
}

}  // namespace

YamlDocuments ParseYamlDocuments(std::string_view text, const YamlLimits& limits) {
  YamlDocuments out;
  if (text.size() > limits.max_bytes) {
    out.problem = YamlProblem{
        0, 0, "file is " + std::to_string(text.size()) + " bytes; the limit is " + std::to_string(limits.max_bytes)};
    return out;
  }
  if (auto problem = Gate(text, limits)) {
    out.problem = std::move(problem);
    return out;
  }
  try {
    out.documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    out.documents.clear();
    out.problem = e.mark.line >= 0 ? YamlProblem{e.mark.line + 1, e.mark.column + 1, e.msg} : YamlProblem{1, 1, e.msg};
  }
  return out;
}

YamlPosition PositionOf(const YAML::Node& node) {
  try {
    const YAML::Mark m = node.Mark();
    if (m.line < 0) return {};
    return YamlPosition{m.line + 1, m.column + 1};
  } catch (const YAML::Exception&) {
    return {};
  }
}

}  // namespace gatehouse
