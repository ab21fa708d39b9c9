// Timers for sans-I/O protocol code. State machines schedule callbacks here; whoever owns the queue fires
// the due ones: the gateway from one asio timer armed at nextDeadline(), tests by moving a ManualClock.
// Single-threaded: a queue and everything scheduled on it belong to one loop (ARCHITECTURE.md §3).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <unordered_map>
#include <utility>

#include "core/clock.hpp"

namespace callgate::core {

class TimerQueue {
 public:
  using TimerId = uint64_t;  // never 0

  explicit TimerQueue(const Clock& clock) : clock_(clock) {}
  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;

  const Clock& clock() const { return clock_; }
  TimePoint now() const { return clock_.now(); }

  // Runs `callback` once, `delay` from now (a negative delay counts as zero).
  TimerId schedule(Duration delay, std::function<void()> callback);
  // Cancels a timer that has not fired; false if it already fired, was cancelled or never existed.
  bool cancel(TimerId id);

  std::optional<TimePoint> nextDeadline() const;

  // Called with the new deadline whenever schedule() makes one earlier than every pending timer, so a
  // runtime (net::TimerDriver) can re-arm its single real timer. Not called from fireDue() itself: whoever
  // fires re-arms at nextDeadline() afterwards.
  void setWakeup(std::function<void(TimePoint)> wakeup) { wakeup_ = std::move(wakeup); }
  size_t pending() const { return entries_.size(); }

  // Runs every timer due at the clock's current time, earliest deadline first, timers with the same deadline
  // in the order they were scheduled. A callback may schedule and cancel timers; one scheduled already due
  // runs in the same call. Returns how many callbacks ran.
  size_t fireDue();

  // For tests: moves `clock` forward to `until`, stopping at each deadline on the way to fire it, so
  // callbacks observe the exact time they were due at. Returns how many callbacks ran.
  size_t advanceTo(ManualClock& clock, TimePoint until);

 private:
  using Key = std::pair<TimePoint, TimerId>;

  const Clock& clock_;
  std::map<Key, std::function<void()>> entries_;
  std::unordered_map<TimerId, TimePoint> deadlines_;
  TimerId nextId_ = 1;
  std::function<void(TimePoint)> wakeup_;
  bool firing_ = false;
};

// A timer that belongs to an object: starting it again replaces the previous schedule, and destroying it
// cancels it (STYLE.md: timers are members, cancelled in the destructor).
class Timer {
 public:
  explicit Timer(TimerQueue& queue) : queue_(&queue) {}
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;
  ~Timer() { cancel(); }

  void start(Duration delay, std::function<void()> callback);
  void cancel();
  bool active() const { return id_ != 0; }

 private:
  TimerQueue* queue_;  // not owned: the queue outlives the objects whose timers it holds
  TimerQueue::TimerId id_ = 0;
};

}  // namespace callgate::core
