#include "net/timer_driver.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace callgate::net {

struct TimerDriver::State : std::enable_shared_from_this<State> {
  State(boost::asio::io_context& io, core::TimerQueue& q) : timer(io), queue(q) {}

  void arm(core::TimePoint deadline) {
    if (armed && deadline >= armedAt) return;  // already waking up no later than that
    armed = true;
    armedAt = deadline;
    timer.expires_at(deadline);
    timer.async_wait([weak = weak_from_this()](const boost::system::error_code& error) {
      auto self = weak.lock();
      if (!self || error == boost::asio::error::operation_aborted) return;
      self->armed = false;
      self->queue.fireDue();
      if (auto next = self->queue.nextDeadline()) self->arm(*next);
    });
  }

  boost::asio::steady_timer timer;
  core::TimerQueue& queue;
  bool armed = false;
  core::TimePoint armedAt{};
};

TimerDriver::TimerDriver(boost::asio::io_context& io, core::TimerQueue& queue)
    : state_(std::make_shared<State>(io, queue)) {
  queue.setWakeup([weak = std::weak_ptr<State>(state_)](core::TimePoint deadline) {
    if (auto self = weak.lock()) self->arm(deadline);
  });
  if (auto next = queue.nextDeadline()) state_->arm(*next);
}

TimerDriver::~TimerDriver() {
  state_->queue.setWakeup(nullptr);
  state_->timer.cancel();
}

}  // namespace callgate::net
