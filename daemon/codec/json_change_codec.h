// JsonChangeCodec: the change-log payload format — a JSON object
// {"changes": [{"op": "...", ...}, ...]} with the API's field names. See docs/storage.md.
//
// Thread safety: stateless.
#pragma once

#include "core/change_codec.h"

namespace gatehouse {

class JsonChangeCodec final : public ChangeCodec {
 public:
  std::string EncodeChanges(const ChangeSet& set) const override;
  Result<ChangeSet> Decode(const ChangeRecord& record) const override;
};

}  // namespace gatehouse
