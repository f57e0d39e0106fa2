// ChangeLog: the durable, ordered log of committed ChangeRecords — what a storage
// backend is to the rest of the daemon. Revisions start at 1 and grow by one per record.
//
// Contract:
//  - Append(records, expected_head) is atomic and durable when it returns OK: either all
//    records are stored with revisions expected_head+1.., or none is. If the log's head is
//    not expected_head, it stores nothing and returns kAborted (another writer won).
//    Environment failures return kUnavailable and store nothing.
//  - ReadSince(r, limit, sink) streams records with revision > r, in order.
//  - Cursors are small named values (e.g. a notifier's delivered revision).
//  - Shared logs (several daemons append to one log, e.g. PostgreSQL) also offer
//    WaitForChanges (returns the head once it is past `since`, or after the timeout) and
//    named leases that at most one daemon holds at a time. A log with one writer answers
//    IsShared() false, WaitForChanges kFailedPrecondition, and TryLease true: it holds them all.
//  - Logs that keep snapshots (SupportsSnapshots()) store the state at a revision as
//    opaque chunks (PutSnapshot: atomic and durable), list and read them back, and can
//    forget history: ForgetHistory(r) deletes the records up to r and the snapshots older
//    than r, in one step, and only when a snapshot at r exists. After it, Load and
//    ReadSince start after r; History().forgotten_through says so. DropSnapshot deletes
//    one snapshot, never the one history starts from. Without snapshots,
//    History() is empty and the others answer kFailedPrecondition.
//
// Implementations: store::PluginChangeLog (any storage plugin through the C ABI), and
// test doubles. Thread safety: implementations must allow concurrent calls.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/change.h"
#include "core/status.h"

namespace gatehouse {

struct SnapshotInfo {
  std::uint64_t revision = 0;
  Timestamp taken_at = 0;
  std::uint64_t bytes = 0;
};

struct LogHistory {
  std::vector<SnapshotInfo> snapshots;  // oldest first
  std::uint64_t forgotten_through = 0;  // records up to here were forgotten (0: none)
};

class ChangeLog {
 public:
  using RecordSink = std::function<Status(const ChangeRecord&)>;

  virtual ~ChangeLog() = default;

  // Streams every record in order and returns the head revision (0 when empty).
  virtual Result<std::uint64_t> Load(const RecordSink& sink) = 0;

  // Appends records; returns the new head revision.
  virtual Result<std::uint64_t> Append(const std::vector<ChangeRecord>& records, std::uint64_t expected_head) = 0;

  // Streams up to `limit` records with revision > since; returns how many it sent.
  virtual Result<std::size_t> ReadSince(std::uint64_t since, std::size_t limit, const RecordSink& sink) = 0;

  virtual Result<std::uint64_t> Head() = 0;

  virtual Result<std::optional<std::string>> GetCursor(const std::string& name) = 0;
  virtual Status PutCursor(const std::string& name, const std::string& value) = 0;

  virtual bool IsShared() const { return false; }
  virtual Result<std::uint64_t> WaitForChanges(std::uint64_t /*since*/, std::uint32_t /*timeout_ms*/) {
    return FailedPrecondition("this log has one writer: there are no other writers to wait for");
  }
  virtual Result<bool> TryLease(const std::string& /*name*/) { return true; }
  virtual Status ReleaseLease(const std::string& /*name*/) { return Status::Ok(); }

  virtual bool SupportsSnapshots() const { return false; }
  virtual Status PutSnapshot(std::uint64_t /*revision*/, Timestamp /*taken_at*/,
                             const std::vector<std::string>& /*chunks*/) {
    return FailedPrecondition("this storage backend keeps no snapshots");
  }
  virtual Result<LogHistory> History() { return LogHistory{}; }
  virtual Result<std::vector<std::string>> ReadSnapshot(std::uint64_t revision) {
    return NotFound("no snapshot at revision " + std::to_string(revision) + ": this storage backend keeps none");
  }
  virtual Status ForgetHistory(std::uint64_t /*through*/) {
    return FailedPrecondition("this storage backend keeps no snapshots, so it cannot forget history");
  }
  // Deletes one snapshot (not the one history was forgotten through).
  virtual Status DropSnapshot(std::uint64_t revision) {
    return NotFound("no snapshot at revision " + std::to_string(revision) + ": this storage backend keeps none");
  }
};

}  // namespace gatehouse
