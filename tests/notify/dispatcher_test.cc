#include "notify/dispatcher.h"

#include <gtest/gtest.h>

#include <mutex>

#include "support/memory_change_log.h"

namespace gatehouse {
namespace {

using namespace std::chrono_literals;

// Records what it was given; fails the next `fail_next` attempts, rejects revisions in `reject`.
class RecordingNotifier final : public Notifier {
 public:
  DeliveryResult Deliver(const std::vector<ChangeRecord>& events) override {
    std::lock_guard lock(mu);
    ++attempts;
    if (fail_next > 0) {
      --fail_next;
      return {DeliveryOutcome::kRetryLater, "receiver down"};
    }
    for (const auto& e : events) {
      if (reject.count(e.revision)) return {DeliveryOutcome::kRejected, "bad event"};
    }
    for (const auto& e : events) delivered.push_back(e.revision);
    return {DeliveryOutcome::kDelivered, ""};
  }
  std::vector<std::uint64_t> Delivered() {
    std::lock_guard lock(mu);
    return delivered;
  }
  std::mutex mu;
  int attempts = 0;
  int fail_next = 0;
  std::set<std::uint64_t> reject;
  std::vector<std::uint64_t> delivered;
};

void Append(ChangeLog& log, int n) {
  for (int i = 0; i < n; ++i) {
    ChangeRecord r;
    r.type = "t";
    r.payload = "{}";
    ASSERT_TRUE(log.Append({r}, *log.Head()).ok());
  }
}

bool WaitUntil(const std::function<bool()>& done) {
  for (int i = 0; i < 500; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return done();
}

std::vector<std::uint64_t> Range(std::uint64_t from, std::uint64_t to) {
  std::vector<std::uint64_t> v;
  for (auto r = from; r <= to; ++r) v.push_back(r);
  return v;
}

DispatcherOptions Fast() {
  DispatcherOptions o;
  o.batch_size = 3;
  o.backoff_base = 5ms;
  o.backoff_max = 20ms;
  o.poll_interval = 20ms;
  return o;
}

TEST(DispatcherTest, NewNotifierStartsAtHeadThenDeliversInOrder) {
  testing::MemoryChangeLog log;
  Metrics metrics;
  Append(log, 4);  // history before the notifier existed
  auto notifier = std::make_unique<RecordingNotifier>();
  auto* raw = notifier.get();
  NotificationDispatcher d(&log, &metrics, Fast());
  d.Add("rec", std::move(notifier));
  ASSERT_TRUE(d.Start().ok());
  Append(log, 10);
  d.Wake();
  ASSERT_TRUE(WaitUntil([&] { return raw->Delivered().size() == 10; }));
  EXPECT_EQ(raw->Delivered(), Range(5, 14));
  d.Stop();
  EXPECT_EQ(**log.GetCursor("notifier:rec"), "14");
  EXPECT_EQ(metrics.Get("gatehouse_notifier_delivered_total{notifier=\"rec\"}"), 10);
}

TEST(DispatcherTest, RetriesTheSameBatchUntilItGoesThrough) {
  testing::MemoryChangeLog log;
  Metrics metrics;
  auto notifier = std::make_unique<RecordingNotifier>();
  auto* raw = notifier.get();
  raw->fail_next = 4;
  NotificationDispatcher d(&log, &metrics, Fast());
  d.Add("rec", std::move(notifier));
  ASSERT_TRUE(d.Start().ok());
  Append(log, 7);
  d.Wake();
  ASSERT_TRUE(WaitUntil([&] { return raw->Delivered().size() == 7; }));
  d.Stop();
  EXPECT_EQ(raw->Delivered(), Range(1, 7));  // in order, none twice, none lost
  EXPECT_EQ(metrics.Get("gatehouse_notifier_failures_total{notifier=\"rec\"}"), 4);
}

TEST(DispatcherTest, RejectedBatchIsCountedAndSkipped) {
  testing::MemoryChangeLog log;
  Metrics metrics;
  auto notifier = std::make_unique<RecordingNotifier>();
  auto* raw = notifier.get();
  raw->reject = {2};
  DispatcherOptions o = Fast();
  o.batch_size = 1;
  NotificationDispatcher d(&log, &metrics, o);
  d.Add("rec", std::move(notifier));
  ASSERT_TRUE(d.Start().ok());
  Append(log, 3);
  d.Wake();
  ASSERT_TRUE(WaitUntil([&] { return raw->Delivered().size() == 2; }));
  d.Stop();
  EXPECT_EQ(raw->Delivered(), (std::vector<std::uint64_t>{1, 3}));
  EXPECT_EQ(metrics.Get("gatehouse_notifier_rejected_total{notifier=\"rec\"}"), 1);
}

TEST(DispatcherTest, RestartResumesFromTheStoredCursor) {
  testing::MemoryChangeLog log;
  Metrics metrics;
  {
    auto notifier = std::make_unique<RecordingNotifier>();
    auto* raw = notifier.get();
    NotificationDispatcher d(&log, &metrics, Fast());
    d.Add("rec", std::move(notifier));
    ASSERT_TRUE(d.Start().ok());
    Append(log, 5);
    d.Wake();
    ASSERT_TRUE(WaitUntil([&] { return raw->Delivered().size() == 5; }));
    d.Stop();
  }
  Append(log, 3);  // committed while no dispatcher ran
  auto notifier = std::make_unique<RecordingNotifier>();
  auto* raw = notifier.get();
  NotificationDispatcher d(&log, &metrics, Fast());
  d.Add("rec", std::move(notifier));
  ASSERT_TRUE(d.Start().ok());
  ASSERT_TRUE(WaitUntil([&] { return raw->Delivered().size() == 3; }));  // found by polling
  d.Stop();
  EXPECT_EQ(raw->Delivered(), Range(6, 8));
}

// A notifier whose stored cursor lies before history that was forgotten (it was not
// configured when the compactor ran) goes on from what is left, and says which revisions
// it never delivered, at error level.
TEST(DispatcherTest, ForgottenRevisionsBeforeACursorAreReportedNotSilentlySkipped) {
  testing::MemoryChangeLog log;
  Metrics metrics;
  Append(log, 10);
  ASSERT_TRUE(log.PutCursor("notifier:rec", "2").ok());
  ASSERT_TRUE(log.PutSnapshot(6, 0, {"state"}).ok());
  ASSERT_TRUE(log.ForgetHistory(6).ok());
  std::mutex mu;
  std::vector<std::string> errors;
  auto notifier = std::make_unique<RecordingNotifier>();
  auto* raw = notifier.get();
  NotificationDispatcher d(&log, &metrics, Fast(), [&](bool error, const std::string& m) {
    std::lock_guard lock(mu);
    if (error) errors.push_back(m);
  });
  d.Add("rec", std::move(notifier));
  ASSERT_TRUE(d.Start().ok());
  ASSERT_TRUE(WaitUntil([&] { return raw->Delivered().size() == 4; }));
  d.Stop();
  EXPECT_EQ(raw->Delivered(), Range(7, 10));
  std::lock_guard lock(mu);
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_NE(errors[0].find("revisions 3..6 were forgotten"), std::string::npos) << errors[0];
}

TEST(DispatcherTest, BacklogGaugeFollowsTheCursor) {
  testing::MemoryChangeLog log;
  Metrics metrics;
  auto notifier = std::make_unique<RecordingNotifier>();
  notifier->fail_next = 1000000;
  NotificationDispatcher d(&log, &metrics, Fast());
  d.Add("down", std::move(notifier));
  ASSERT_TRUE(d.Start().ok());
  Append(log, 6);
  const std::string text = metrics.RenderPrometheus();
  EXPECT_NE(text.find("gatehouse_notifier_backlog{notifier=\"down\"} 6"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE gatehouse_notifier_backlog gauge"), std::string::npos);
  d.Stop();
}

}  // namespace
}  // namespace gatehouse
