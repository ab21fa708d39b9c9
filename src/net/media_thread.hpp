// The media threads of ARCHITECTURE.md §3: each runs one io_context with its own TimerQueue, so a call's
// media sockets, ICE/DTLS/SRTP state and timers are created on, and only touched by, one thread. The control
// thread reaches them by post() and hears back by posting to its own loop; nothing is shared under a lock.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "core/timer_queue.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace callgate::net {

class TimerDriver;

class MediaThread {
 public:
  explicit MediaThread(size_t index);
  ~MediaThread();  // stop()s and joins
  MediaThread(const MediaThread&) = delete;
  MediaThread& operator=(const MediaThread&) = delete;

  // Starts the thread (named "media-N"). Before start(), posted work waits; run() is not called.
  void start();
  // Runs what was posted before, then ends the loop and joins. Idempotent.
  void stop();

  // Runs `fn` on this thread's loop. Safe from any thread.
  void post(std::function<void()> fn);

  // Only on this thread (or before start()):
  boost::asio::io_context& io() { return *io_; }
  core::TimerQueue& timers() { return timers_; }
  core::RandomSource& random() { return random_; }
  const core::Clock& clock() const { return clock_; }

  size_t index() const { return index_; }

 private:
  size_t index_;
  std::unique_ptr<boost::asio::io_context> io_;
  core::SteadyClock clock_;
  core::TimerQueue timers_;
  std::unique_ptr<TimerDriver> driver_;
  core::SecureRandom random_;
  struct Guard;
  std::unique_ptr<Guard> guard_;
  std::thread thread_;
};

// N media threads, handed out round-robin to new calls.
class MediaThreads {
 public:
  explicit MediaThreads(size_t count);
  ~MediaThreads();
  void start();
  void stop();
  MediaThread& next();
  MediaThread& at(size_t index) { return *threads_.at(index); }
  size_t size() const { return threads_.size(); }

 private:
  std::vector<std::unique_ptr<MediaThread>> threads_;
  std::atomic<size_t> next_{0};
};

}  // namespace callgate::net
