// Drives a core::TimerQueue from a Boost.Asio io_context: one steady_timer, always armed at the queue's
// earliest deadline, fires the due timers on the loop's thread. The sans-I/O protocol code never sees asio.
#pragma once

#include <memory>

#include "core/timer_queue.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace callgate::net {

class TimerDriver {
 public:
  // The queue must run on core::SteadyClock (the clock asio's steady_timer follows) and outlive the driver.
  TimerDriver(boost::asio::io_context& io, core::TimerQueue& queue);
  ~TimerDriver();
  TimerDriver(const TimerDriver&) = delete;
  TimerDriver& operator=(const TimerDriver&) = delete;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace callgate::net
