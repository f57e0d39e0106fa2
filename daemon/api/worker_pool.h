// WorkerPool: the task queue behind each listener (cpp-httplib's TaskQueue interface), with
// idle workers reused most-recently-idle first.
//
// cpp-httplib holds a worker per open connection, so pools are large (1024 by default) and
// mostly idle. Its own ThreadPool wakes an arbitrary idle thread for each connection, so
// over hours every one of them runs requests and keeps its stack pages and malloc caches
// resident: a soak showed the daemon's memory creeping by ~0.5 MiB a minute with no leak.
// Here an idle worker waits on its own condition variable in a LIFO stack; a new connection
// goes to the worker that went idle last, so the working set is the threads the load needs.
//
// Workers are started on demand, up to the pool size: a connection that finds no idle
// worker starts one (so the daemon starts in milliseconds, and a pool of 1024 costs only
// the threads its peak load needed). At the size limit, tasks wait in FIFO order.
// shutdown() runs every queued task, then joins. Thread safety: every method may be called
// from any thread.
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace gatehouse::api {

class WorkerPool final : public httplib::TaskQueue {
 public:
  explicit WorkerPool(std::size_t workers);
  ~WorkerPool() override;
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void enqueue(std::function<void()> task) override;
  void shutdown() override;

  std::size_t Workers() const;      // started so far
  std::size_t IdleWorkers() const;  // waiting for a task

 private:
  struct Worker {
    std::condition_variable wake;
    std::function<void()> task;  // handed over by enqueue while the worker is idle
  };
  void Run(Worker& self);

  const std::size_t max_workers_;
  mutable std::mutex mu_;
  std::deque<std::function<void()>> queue_;  // tasks no idle worker could take yet
  std::vector<Worker*> idle_;                // most recently idle last
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
  bool shutdown_ = false;
};

}  // namespace gatehouse::api
