#include "core/timer_queue.hpp"

namespace callgate::core {

TimerQueue::TimerId TimerQueue::schedule(Duration delay, std::function<void()> callback) {
  const TimerId id = nextId_++;
  const TimePoint deadline = clock_.now() + (delay < Duration::zero() ? Duration::zero() : delay);
  const bool earliest = entries_.empty() || deadline < entries_.begin()->first.first;
  entries_.emplace(Key{deadline, id}, std::move(callback));
  deadlines_.emplace(id, deadline);
  if (earliest && wakeup_ && !firing_) wakeup_(deadline);
  return id;
}

bool TimerQueue::cancel(TimerId id) {
  const auto it = deadlines_.find(id);
  if (it == deadlines_.end()) return false;
  entries_.erase(Key{it->second, id});
  deadlines_.erase(it);
  return true;
}

std::optional<TimePoint> TimerQueue::nextDeadline() const {
  if (entries_.empty()) return std::nullopt;
  return entries_.begin()->first.first;
}

size_t TimerQueue::fireDue() {
  size_t fired = 0;
  firing_ = true;
  while (!entries_.empty() && entries_.begin()->first.first <= clock_.now()) {
    auto node = entries_.extract(entries_.begin());
    deadlines_.erase(node.key().second);
    // The entry is out of the queue before it runs: the callback may cancel or re-schedule freely.
    node.mapped()();
    ++fired;
  }
  firing_ = false;
  return fired;
}

size_t TimerQueue::advanceTo(ManualClock& clock, TimePoint until) {
  size_t fired = fireDue();
  while (auto next = nextDeadline()) {
    if (*next > until) break;
    if (*next > clock.now()) clock.set(*next);
    fired += fireDue();
  }
  if (clock.now() < until) clock.set(until);
  return fired;
}

void Timer::start(Duration delay, std::function<void()> callback) {
  cancel();
  // The id is cleared before the callback runs, so the callback may start the timer again.
  id_ = queue_->schedule(delay, [this, cb = std::move(callback)]() {
    id_ = 0;
    cb();
  });
}

void Timer::cancel() {
  if (id_ != 0) queue_->cancel(id_);
  id_ = 0;
}

}  // namespace callgate::core
