#include "api/worker_pool.h"

#include <algorithm>

namespace gatehouse::api {

WorkerPool::WorkerPool(std::size_t workers) {
  workers_.reserve(workers);
  threads_.reserve(workers);
  for (std::size_t i = 0; i < workers; ++i) {
    workers_.push_back(std::make_unique<Worker>());
    threads_.emplace_back([this, w = workers_.back().get()] { Run(*w); });
  }
}

WorkerPool::~WorkerPool() { shutdown(); }

void WorkerPool::enqueue(std::function<void()> task) {
  std::lock_guard lock(mu_);
  if (idle_.empty()) {
    queue_.push_back(std::move(task));
    return;
  }
  Worker* w = idle_.back();
  idle_.pop_back();
  w->task = std::move(task);
  w->wake.notify_one();
}

void WorkerPool::shutdown() {
  {
    std::lock_guard lock(mu_);
    if (shutdown_) return;
    shutdown_ = true;
    for (Worker* w : idle_) w->wake.notify_one();
  }
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void WorkerPool::Run(Worker& self) {
  std::unique_lock lock(mu_);
  for (;;) {
    std::function<void()> task;
    if (!queue_.empty()) {
      task = std::move(queue_.front());
      queue_.pop_front();
    } else if (shutdown_) {
      return;
    } else {
      idle_.push_back(&self);
      self.wake.wait(lock, [&] { return self.task != nullptr || shutdown_; });
      if (self.task == nullptr) {  // woken by shutdown: leave the idle stack, drain the queue
        idle_.erase(std::find(idle_.begin(), idle_.end(), &self));
        continue;
      }
      task = std::move(self.task);
      self.task = nullptr;
    }
    lock.unlock();
    task();
    lock.lock();
  }
}

}  // namespace gatehouse::api
