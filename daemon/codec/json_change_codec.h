// JsonChangeCodec: the change-log payload format — a JSON object
// {"changes": [{"op": "...", ...}, ...]} with the API's field names. See docs/storage.md.
//
// Thread safety: stateless.
#pragma once

#include <functional>
#include <optional>

#include "core/change_codec.h"

namespace gatehouse {

// Adds "acceptLink" to each invite of a change-log payload whose token hash `link_for`
// knows (events only; the log itself never holds a link). Returns the payload unchanged
// when nothing applies or it does not parse.
std::string AddAcceptLinks(const std::string& payload,
                           const std::function<std::optional<std::string>(const std::string& token_hash)>& link_for);

class JsonChangeCodec final : public ChangeCodec {
 public:
  std::string EncodeChanges(const ChangeSet& set) const override;
  Result<ChangeSet> Decode(const ChangeRecord& record) const override;
  std::string EncodeChange(const Change& change) const override;
  Result<Change> DecodeChange(const std::string& text) const override;
};

}  // namespace gatehouse
