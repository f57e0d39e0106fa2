// ChangeCodec: turns a ChangeSet into the bytes a ChangeRecord carries and back. The
// encoding is a stable, documented format (docs/storage.md): the log outlives any one
// build of the daemon, and other nodes and notifiers read it.
//
// Implementation: codec::JsonChangeCodec. Thread safety: implementations are stateless.
#pragma once

#include <string>

#include "core/change.h"
#include "core/status.h"

namespace gatehouse {

class ChangeCodec {
 public:
  virtual ~ChangeCodec() = default;
  virtual std::string EncodeChanges(const ChangeSet& set) const = 0;
  // Rebuilds a ChangeSet from a stored record; kInternal when the payload is corrupt.
  virtual Result<ChangeSet> Decode(const ChangeRecord& record) const = 0;
  // One change on its own, in the same form as an element of a record's changes (the
  // lines of an export). DecodeChange: kInvalidArgument saying what is wrong.
  virtual std::string EncodeChange(const Change& change) const = 0;
  virtual Result<Change> DecodeChange(const std::string& text) const = 0;

  ChangeRecord ToRecord(const ChangeSet& set) const {
    ChangeRecord r;
    r.type = set.type;
    r.account_id = set.account_id;
    r.actor = set.actor;
    r.at = set.at;
    r.payload = EncodeChanges(set);
    return r;
  }
};

}  // namespace gatehouse
