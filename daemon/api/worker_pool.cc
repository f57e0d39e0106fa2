#include "api/worker_pool.h"

#include <algorithm>

namespace gatehouse::api {

WorkerPool::WorkerPool(std::size_t workers) : max_workers_(std::max<std::size_t>(1, workers)) {}

WorkerPool::~WorkerPool() { shutdown(); }

void WorkerPool::enqueue(std::function<void()> task) {
  std::lock_guard lock(mu_);
  if (!idle_.empty()) {
    Worker* w = idle_.back();
    idle_.pop_back();
    w->task = std::move(task);
    w->wake.notify_one();
    return;
  }
  if (workers_.size() < max_workers_ && !shutdown_) {
    workers_.push_back(std::make_unique<Worker>());
    Worker* w = workers_.back().get();
    w->task = std::move(task);  // its first task: it runs it before it ever goes idle
    threads_.emplace_back([this, w] { Run(*w); });
    return;
  }
  queue_.push_back(std::move(task));
}

void WorkerPool::shutdown() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    shutdown_ = true;
    for (Worker* w : idle_) w->wake.notify_one();
    threads.swap(threads_);
  }
  for (auto& t : threads) {
    if (t.joinable()) t.join();
  }
}

std::size_t WorkerPool::Workers() const {
  std::lock_guard lock(mu_);
  return workers_.size();
}

std::size_t WorkerPool::IdleWorkers() const {
  std::lock_guard lock(mu_);
  return idle_.size();
}

void WorkerPool::Run(Worker& self) {
  std::unique_lock lock(mu_);
  for (;;) {
    std::function<void()> task;
    if (self.task != nullptr) {
      task = std::move(self.task);
      self.task = nullptr;
    } else if (!queue_.empty()) {
      task = std::move(queue_.front());
      queue_.pop_front();
    } else if (shutdown_) {
      return;
    } else {
      idle_.push_back(&self);
      self.wake.wait(lock, [&] { return self.task != nullptr || shutdown_; });
      if (self.task == nullptr) {  // woken by shutdown: leave the idle stack, drain the queue
        idle_.erase(std::find(idle_.begin(), idle_.end(), &self));
      }
      continue;
    }
    lock.unlock();
    task();
    lock.lock();
  }
}

}  // namespace gatehouse::api
