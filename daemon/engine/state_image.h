// StateImage: a Snapshot's data written down as compact binary chunks — what a snapshot
// of the change log holds, so start-up can load the state at a revision instead of
// replaying every record before it (docs/storage.md, "Snapshots").
//
// What is written: the revision, the highest assignment id ever issued (ids are never
// reused, even when the highest one was removed), every user, and every account's
// AccountState::Image — deleted asset nodes, who granted each assignment and at which
// revision included — so a restored snapshot answers every question the original did.
// The policy set is not written: the restored state is bound to the one passed in (policy
// files are the node's own), and the indexes and caches are rebuilt.
//
// Format (version 1; little-endian; integers as LEB128 varints, signed ones zigzagged;
// strings as a varint length and bytes): each chunk is "GHIM", a version byte, a kind
// byte (1 users, 2 accounts, 3 trailer), a varint count of entries, the entries, and an
// 8-byte checksum of everything before it. The trailer chunk comes last (the encoder
// streams, so only then are the counts known) and names the revision, the maximum
// assignment id, and how many chunks, users and accounts come before it; an account entry starts with its byte length
// and id, so a reader after one account skips the others without decoding them. Chunks close after about `chunk_bytes`.
//
// Decoding checks everything: magic, version, checksums, counts, every length against
// the bytes left, every index through AccountState::Restore. A bad image is kInternal
// naming the chunk and what is wrong, never a partial state.
//
// Thread safety: pure functions; DecodeStateImage may use `threads` threads of its own.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "engine/snapshot.h"

namespace gatehouse {

inline constexpr std::size_t kStateImageChunkBytes = std::size_t{4} << 20;

// Writes `snapshot` as chunks, handing each finished chunk to `sink` in order (a sink
// error stops the encoding and is returned).
Status EncodeStateImage(const Snapshot& snapshot, const std::function<Status(std::string chunk)>& sink,
                        std::size_t chunk_bytes = kStateImageChunkBytes);

// The whole state, bound to `policies`. Accounts are decoded on up to `threads` threads.
Result<std::shared_ptr<const Snapshot>> DecodeStateImage(const std::vector<std::string>& chunks,
                                                         std::shared_ptr<const PolicySet> policies,
                                                         unsigned threads = 2);

// Only the users and the one account (absent when the image does not hold it): what the
// access review's `at=REV` starts from. The other accounts are skipped unread.
Result<std::shared_ptr<const Snapshot>> DecodeStateImageAccount(const std::vector<std::string>& chunks,
                                                                std::string_view account_id,
                                                                std::shared_ptr<const PolicySet> policies);

}  // namespace gatehouse
