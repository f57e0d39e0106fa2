// Notifier: something that delivers committed changes (events) somewhere — a log line, a
// webhook. The dispatcher (notify/) owns ordering, retries, backoff and the cursor; a
// Notifier only tries to deliver one batch and says how it went.
//
// An event is a committed ChangeRecord; its payload is the change set's JSON (the `data`
// of api.md §3.5).
//
// Implementations: store::PluginNotifier (any notifier plugin), test doubles.
// Thread safety: the dispatcher calls one Notifier from one thread at a time.
#pragma once

#include <string>
#include <vector>

#include "core/change.h"

namespace gatehouse {

enum class DeliveryOutcome {
  kDelivered,   // every event of the batch is delivered
  kRetryLater,  // none is taken as delivered; try the same batch again later
  kRejected,    // can never be delivered; recorded as failed and skipped
};

struct DeliveryResult {
  DeliveryOutcome outcome = DeliveryOutcome::kDelivered;
  std::string message;
};

class Notifier {
 public:
  virtual ~Notifier() = default;
  virtual DeliveryResult Deliver(const std::vector<ChangeRecord>& events) = 0;
};

}  // namespace gatehouse
