#include "team/change_feed.h"

namespace gatehouse {

Result<ChangeFeed::Page> ChangeFeed::ReadOnce(const std::string& account_id, std::uint64_t since, std::size_t limit) {
  Page page;
  page.head = snapshots_->Load()->revision();
  page.next_since = since;
  constexpr std::size_t kChunk = 1000;
  std::uint64_t scanned = since;
  auto gone = [](std::uint64_t start) {
    return Gone("the history before revision " + std::to_string(start + 1) +
                " was forgotten (history.retention); read the feed from since=" + std::to_string(start) + " or later");
  };
  while (scanned < page.head && page.changes.size() < limit) {
    std::uint64_t last = scanned;
    auto n = log_->ReadSince(scanned, kChunk, [&](const ChangeRecord& r) -> Status {
      if (last == since && r.revision != since + 1) return gone(r.revision - 1);
      last = r.revision;
      if (r.revision <= page.head && r.account_id == account_id && page.changes.size() < limit) {
        page.changes.push_back(r);
      }
      return Status::Ok();
    });
    if (!n.ok()) return n.status();
    if (*n == 0 && scanned == since) {
      // Nothing after `since` although the state is past it: the log forgot every record.
      auto history = log_->History();
      if (!history.ok()) return history.status();
      if (history->forgotten_through > since) return gone(history->forgotten_through);
    }
    if (*n == 0 || last == scanned) break;
    scanned = last;
  }
  if (!page.changes.empty()) page.next_since = page.changes.back().revision;
  return page;
}

Result<ChangeFeed::Page> ChangeFeed::Read(const std::string& account_id, std::uint64_t since, std::size_t limit,
                                          std::chrono::milliseconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    std::uint64_t seen;
    {
      std::lock_guard lock(mu_);
      seen = notified_;
    }
    auto page = ReadOnce(account_id, since, limit);
    if (!page.ok() || !page->changes.empty() || std::chrono::steady_clock::now() >= deadline) return page;
    std::unique_lock lock(mu_);
    if (!cv_.wait_until(lock, deadline, [&] { return notified_ != seen; })) return page;
  }
}

void ChangeFeed::Notify(std::uint64_t revision) {
  {
    std::lock_guard lock(mu_);
    notified_ = revision;
  }
  cv_.notify_all();
}

}  // namespace gatehouse
